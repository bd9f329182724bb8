<?php
$_['heading_title'] = 'cartsync';
