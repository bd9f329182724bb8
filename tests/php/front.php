<?php
/**
 * A front controller that runs the cartsync extension's real, unmodified controllers the way an
 * OpenCart store of one version runs them. It is the router script of PHP's built-in server:
 *
 *   php -S 127.0.0.1:0 -t STORE_ROOT tests/php/front.php
 *
 * STORE_ROOT holds the extension as its package installs it (2.x/3.0: the package's upload/
 * folder; 4.x: the package under extension/cartsync/). The environment names the release
 * (CARTSYNC_HARNESS_VERSION, e.g. 3.0.5.1) and the database (CARTSYNC_HARNESS_DB_SOCKET, _USER,
 * _PASSWORD, _NAME), whose tables are those of tests/php/schema/.
 *
 * What it does, per request, as the reference describes OpenCart: on 4.0 put X-Forwarded-For
 * (else Client-IP) in place of REMOTE_ADDR, HTML-escape the input, read the settings, answer the 503 maintenance page on routes that are not exempt, serve OpenCart's
 * own API routes (stock_api.php), bind an api/ token to the session (2.x/3.0), load 4.x
 * extension routes only when the extension is registered in oc_extension, and call the route's
 * public controller method.
 */

require_once(__DIR__ . '/platform.php');
require_once(__DIR__ . '/stock_api.php');
require_once(__DIR__ . '/routing.php');

define('VERSION', (string)getenv('CARTSYNC_HARNESS_VERSION'));
define('DB_PREFIX', 'oc_');
define('DIR_OPENCART', rtrim($_SERVER['DOCUMENT_ROOT'], '/') . '/');
define('DIR_APPLICATION', DIR_OPENCART . 'catalog/');
define('DIR_SYSTEM', DIR_OPENCART . 'system/');
define('DIR_EXTENSION', DIR_OPENCART . 'extension/');
define('DIR_CACHE', DIR_SYSTEM . 'storage/cache/');

/** The OpenCart family of a release: 2.1, 2.3, 3.0, 4.0 or 4.1. */
function harness_family($release) {
	return implode('.', array_slice(explode('.', $release), 0, 2));
}

function harness_is_4x() {
	return version_compare(VERSION, '4.0.0.0', '>=');
}

if (version_compare(VERSION, '4.1.0.0', '>=')) {
	/** 4.1's client IP: a proxy header's first address when one is sent, else REMOTE_ADDR. */
	function oc_get_ip() {
		foreach (array('HTTP_CF_CONNECTING_IP', 'HTTP_X_FORWARDED_FOR') as $header) {
			if (!empty($_SERVER[$header])) {
				$ip = trim(explode(',', $_SERVER[$header])[0]);
				if (filter_var($ip, FILTER_VALIDATE_IP) !== false) {
					return $ip;
				}
			}
		}
		return $_SERVER['REMOTE_ADDR'];
	}
}

function harness_not_found(HarnessResponse $response) {
	http_response_code(404);
	$response->addHeader('Content-Type: text/html; charset=utf-8');
	$response->setOutput('<!DOCTYPE html><html><head><title>The page you requested cannot be found!</title></head>'
		. '<body><h1>The page you requested cannot be found!</h1></body></html>');
}

function harness_maintenance(HarnessResponse $response, $storeName) {
	http_response_code(503);
	$response->addHeader('Content-Type: text/html; charset=utf-8');
	$response->addHeader('Retry-After: 3600');
	$response->setOutput('<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Maintenance</h1>'
		. '<p>' . $storeName . ' is currently performing scheduled maintenance.</p></body></html>');
}

/** Whether a route keeps working in maintenance mode: 2.1 exempts only a first segment `api`. */
function harness_exempt_from_maintenance($route) {
	if (harness_family(VERSION) === '2.1') {
		return explode('/', $route)[0] === 'api';
	}
	return strpos($route, 'api') === 0;
}

/** Answers one route: OpenCart's own API, the home page, or a controller; else "not found". */
function harness_route($route, HarnessRegistry $registry, HarnessStockApi $stockApi) {
	$response = $registry->get('response');
	$config = $registry->get('config');
	if ($config->get('config_maintenance') && !harness_exempt_from_maintenance($route)) {
		harness_maintenance($response, (string)$config->get('config_name'));
	} elseif ($route === 'common/home') {
		$response->setOutput('<!DOCTYPE html><html><head><title>' . $config->get('config_name') . '</title></head><body></body></html>');
	} elseif (!$stockApi->serve($route) && !harness_dispatch($route, $registry)) {
		harness_not_found($response);
	}
}

/** OpenCart 4.0's system/startup.php: a forwarded address header replaces REMOTE_ADDR. */
function harness_forwarded_remote_addr() {
	foreach (array('HTTP_X_FORWARDED_FOR', 'HTTP_CLIENT_IP') as $header) {
		if (!empty($_SERVER[$header])) {
			$_SERVER['REMOTE_ADDR'] = $_SERVER[$header];
			return;
		}
	}
}

function harness_run() {
	$family = harness_family(VERSION);
	if ($family === '4.0') {
		harness_forwarded_remote_addr();
	}
	if (!is_dir(DIR_CACHE)) {
		mkdir(DIR_CACHE, 0777, true);
	}
	require_once(__DIR__ . (harness_is_4x() ? '/controller4.php' : '/controller3.php'));
	$registry = new HarnessRegistry();
	$db = new HarnessDb(getenv('CARTSYNC_HARNESS_DB_SOCKET'), getenv('CARTSYNC_HARNESS_DB_USER'), getenv('CARTSYNC_HARNESS_DB_PASSWORD'), getenv('CARTSYNC_HARNESS_DB_NAME'));
	$config = new HarnessConfig();
	$config->load($db);
	$request = new HarnessRequest(version_compare(VERSION, '3.0.0.0', '>='));
	$response = new HarnessResponse();
	foreach (array('db' => $db, 'config' => $config, 'request' => $request, 'response' => $response, 'session' => new HarnessSession()) as $name => $service) {
		$registry->set($name, $service);
	}
	$route = isset($request->get['route']) ? (string)$request->get['route'] : 'common/home';
	$route = preg_replace(harness_is_4x() ? '/[^a-zA-Z0-9_\/.]/' : '/[^a-zA-Z0-9_\/]/', '', $route);
	$stockApi = new HarnessStockApi($family, $registry);
	$bindsToken = !harness_is_4x() && strpos($route, 'api/') === 0;
	// On a dead token OpenCart 2.1 fails the request itself: HTTP 500 with an empty body.
	if (!$bindsToken || $stockApi->bindSession()) {
		harness_route($route, $registry, $stockApi);
	}
	$response->send();
}

harness_run();
