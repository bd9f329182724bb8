<?php
/**
 * Runs one request: authenticate, run the operation, answer JSON. Any failure becomes a JSON
 * error; database or PHP error text never reaches the caller.
 */
class CartsyncEndpoint {
	/**
	 * @param callable $authenticate given the raw body, returns the API user's id or throws CartsyncError
	 * @return array [HTTP status, reply body]
	 */
	public static function handle(callable $authenticate, CartsyncService $service, $op, array $get, $body) {
		try {
			$apiId = call_user_func($authenticate, $body);
			if (!CartsyncService::isOperation($op)) {
				throw CartsyncError::notFound(is_string($op) ? $op : '(none)');
			}
			return array(200, $service->run($op, $apiId, $get, $body));
		} catch (CartsyncError $error) {
			return array($error->httpStatus, array('error' => array('code' => $error->errorCode, 'message' => $error->getMessage())));
		} catch (Exception $error) {
			return self::internal($error);
		} catch (Throwable $error) {
			return self::internal($error);
		}
	}

	/** Writes the reply through OpenCart's response object. */
	public static function emit($response, array $reply) {
		http_response_code($reply[0]);
		$flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | (defined('JSON_INVALID_UTF8_SUBSTITUTE') ? JSON_INVALID_UTF8_SUBSTITUTE : 0);
		$response->addHeader('Content-Type: application/json; charset=utf-8');
		$response->addHeader('Cache-Control: no-store');
		$response->setOutput(json_encode($reply[1], $flags));
	}

	private static function internal($error) {
		error_log('cartsync: ' . get_class($error) . ': ' . $error->getMessage());
		return array(500, array('error' => array('code' => 'internal', 'message' => 'Internal error; see the store\'s PHP error log')));
	}
}
