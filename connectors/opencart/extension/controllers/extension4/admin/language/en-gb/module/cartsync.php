<?php
$_['heading_title'] = 'cartsync';
$_['text_extension'] = 'Extensions';
$_['text_info'] = 'cartsync is active. The warehouse integration connects with an API user from System > Users > API (its key and the integration server\'s IP address); behind a proxy, see the install guide for the trusted-proxy settings.';
$_['text_route'] = 'Health check route:';
