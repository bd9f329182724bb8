<?php
/**
 * cartsync extension: the one file each controller includes. It loads the shared classes that
 * every OpenCart version uses; the controllers only authenticate the caller and pick the route.
 */
require_once(__DIR__ . '/error.php');
require_once(__DIR__ . '/params.php');
require_once(__DIR__ . '/text.php');
require_once(__DIR__ . '/client_ip.php');
require_once(__DIR__ . '/replay.php');
require_once(__DIR__ . '/guard.php');
require_once(__DIR__ . '/orders.php');
require_once(__DIR__ . '/catalog.php');
require_once(__DIR__ . '/service.php');
require_once(__DIR__ . '/endpoint.php');
require_once(__DIR__ . '/routes.php');
