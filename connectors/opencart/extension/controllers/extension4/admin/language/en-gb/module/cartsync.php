<?php
$_['heading_title'] = 'cartsync';
$_['text_extension'] = 'Extensions';
$_['text_info'] = 'cartsync is active. It has no settings: the warehouse integration connects with an API user from System > Users > API (its key and the integration server\'s IP address).';
$_['text_route'] = 'Health check route:';
