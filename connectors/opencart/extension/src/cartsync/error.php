<?php
/** An error answered to the caller as {"error": {"code": ..., "message": ...}}. */
class CartsyncError extends Exception {
	public $errorCode;
	public $httpStatus;

	public function __construct($errorCode, $httpStatus, $message) {
		parent::__construct($message);
		$this->errorCode = $errorCode;
		$this->httpStatus = $httpStatus;
	}

	public static function permission($message) {
		return new CartsyncError('permission', 403, $message);
	}

	public static function ip($ip) {
		return new CartsyncError('ip', 403, 'Your IP ' . $ip . ' is not allowed to access this API');
	}

	public static function ipUnknown() {
		return new CartsyncError('ip', 403, 'Your IP cannot be told: OpenCart 4.0 put the X-Forwarded-For (or Client-IP) header in place of the connecting address, and this web server does not give PHP the original; a request with that header is refused (run PHP under PHP-FPM or Apache, or send no such header)');
	}

	public static function invalid($parameter, $why) {
		return new CartsyncError('invalid_parameter', 400, 'Invalid parameter ' . $parameter . ': ' . $why);
	}

	public static function notFound($what) {
		return new CartsyncError('not_found', 404, 'Unknown operation ' . $what);
	}
}
