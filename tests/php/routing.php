<?php
/** How an OpenCart store of each version finds and calls the controller method a route names. */

/**
 * [controller file, class, method] of a route, or null. 2.x/3.0: route a/b/c is method c of
 * catalog/controller/a/b.php (class ControllerAB), or index of a/b/c.php. 4.x: the method follows
 * a `.`; extension/CODE/PATH is DIR_EXTENSION/CODE/catalog/controller/PATH.php.
 */
function harness_resolve($route, HarnessDb $db) {
	$studly = function ($part) {
		return str_replace('_', '', ucwords($part, '_'));
	};
	if (!harness_is_4x()) {
		$parts = explode('/', $route);
		$candidates = array(array($parts, 'index'), array(array_slice($parts, 0, -1), end($parts)));
		foreach ($candidates as $candidate) {
			list($path, $method) = $candidate;
			$file = DIR_APPLICATION . 'controller/' . implode('/', $path) . '.php';
			if ($path && is_file($file)) {
				return array($file, 'Controller' . implode('', array_map($studly, $path)), $method);
			}
		}
		return null;
	}
	$dot = strrpos($route, '.');
	list($path, $method) = $dot === false ? array($route, 'index') : array(substr($route, 0, $dot), substr($route, $dot + 1));
	$parts = explode('/', $path);
	if (count($parts) < 3 || $parts[0] !== 'extension') {
		return null;
	}
	$code = $parts[1];
	if (!$db->query("SELECT 1 FROM `" . DB_PREFIX . "extension` WHERE `extension` = '" . $db->escape($code) . "'")->num_rows) {
		return null;
	}
	$rest = array_slice($parts, 2);
	$file = DIR_EXTENSION . $code . '/catalog/controller/' . implode('/', $rest) . '.php';
	$class = 'Opencart\\Catalog\\Controller\\Extension\\' . $studly($code) . '\\' . implode('\\', array_map($studly, $rest));
	return is_file($file) ? array($file, $class, $method) : null;
}

/** Runs the route's controller method; false when no public method answers the route. */
function harness_dispatch($route, HarnessRegistry $registry) {
	$target = harness_resolve($route, $registry->get('db'));
	if ($target === null) {
		return false;
	}
	list($file, $class, $method) = $target;
	require_once($file);
	if (!class_exists($class, false) || strpos($method, '__') === 0) {
		return false;
	}
	$controller = new $class($registry);
	if (!is_callable(array($controller, $method))) {
		return false;
	}
	$controller->$method();
	return true;
}
