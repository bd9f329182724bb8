<?php
/**
 * Push notifications to cartsync serve: after an order gets a history entry (placed, or its
 * status changed), POST {"event","order_id","order_status_id"} to serve, signed with HMAC-SHA256
 * over "<timestamp>.<body>" (headers X-Cartsync-Timestamp, X-Cartsync-Signature: sha256=<hex>).
 * serve trusts nothing in it: it only starts reading orders at once. Polling stays the safety net,
 * so a failed notification is only logged, and the shopper never waits more than TIMEOUT seconds.
 *
 * Settings: the file system/config/cartsync_push.php (not part of any package, so installs and
 * uninstalls leave it alone) returns array('url' => 'https://serve.example/push/acme',
 * 'secret' => '...'). Without it, nothing is sent.
 */
class CartsyncPush {
	const TIMEOUT = 2;

	private $url;
	private $secret;

	public function __construct($url, $secret) {
		$this->url = (string)$url;
		$this->secret = (string)$secret;
	}

	/** The configured notifier, or null when push is not set up. */
	public static function fromSettings() {
		$file = DIR_CONFIG . 'cartsync_push.php';
		if (!is_file($file)) {
			return null;
		}
		$settings = include($file);
		if (!is_array($settings) || empty($settings['url']) || empty($settings['secret'])) {
			return null;
		}
		return new CartsyncPush($settings['url'], $settings['secret']);
	}

	public function orderHistoryAdded($orderId, $statusId) {
		$body = json_encode(array('event' => 'order.history', 'order_id' => (int)$orderId, 'order_status_id' => (int)$statusId));
		$timestamp = (string)time();
		$headers = array(
			'Content-Type: application/json',
			'X-Cartsync-Timestamp: ' . $timestamp,
			'X-Cartsync-Signature: sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $this->secret),
		);
		if (!$this->post($body, $headers)) {
			error_log('cartsync: push notification to ' . parse_url($this->url, PHP_URL_HOST) . ' failed; polling will pick the order up');
		}
	}

	private function post($body, array $headers) {
		if (function_exists('curl_init')) {
			$curl = curl_init($this->url);
			curl_setopt_array($curl, array(
				CURLOPT_POST => true,
				CURLOPT_POSTFIELDS => $body,
				CURLOPT_HTTPHEADER => $headers,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_CONNECTTIMEOUT => self::TIMEOUT,
				CURLOPT_TIMEOUT => self::TIMEOUT,
			));
			curl_exec($curl);
			$status = (int)curl_getinfo($curl, CURLINFO_HTTP_CODE);
			curl_close($curl);
			return $status >= 200 && $status < 300;
		}
		$context = stream_context_create(array('http' => array(
			'method' => 'POST', 'header' => implode("\r\n", $headers), 'content' => $body,
			'timeout' => self::TIMEOUT, 'ignore_errors' => true,
		)));
		$reply = @file_get_contents($this->url, false, $context);
		return $reply !== false && isset($http_response_header[0]) && preg_match('#^HTTP/\S+ 2\d\d#', $http_response_header[0]);
	}
}
