<?php
/**
 * The caller's IP address, by one rule for every variant the extension guards itself: the
 * connecting address (REMOTE_ADDR), unless it is one of the store's trusted proxies; then the
 * client address the proxy forwarded.
 *
 * Store settings (oc_setting, store 0, code `cartsync`):
 * - `cartsync_trusted_proxies`: addresses and ranges (CIDR) of the proxies in front of the store,
 *   separated by commas, spaces or new lines, e.g. Cloudflare's published ranges. Empty: none.
 * - `cartsync_client_ip_header`: the header the proxies put the client address in:
 *   `X-Forwarded-For` (the default) or e.g. `CF-Connecting-IP`.
 *
 * The header is read from the right: each proxy appends the address it received the request
 * from, so the addresses on the right were written by trusted proxies and the first untrusted
 * one is the client. What a client writes on the left itself is never taken.
 *
 * The connecting address is the web server's own (getenv('REMOTE_ADDR'): PHP-FPM, Apache), else
 * $_SERVER['REMOTE_ADDR']. OpenCart 4.0 replaces the latter with the X-Forwarded-For (or
 * Client-IP) header in system/startup.php, so on a 4.0 store whose web server does not give
 * PHP its own value (PHP's built-in server) a request with such a header cannot be told from a
 * forged one: its IP is unknown (null), and the caller is refused.
 */
class CartsyncClientIp {
	const DEFAULT_HEADER = 'X-Forwarded-For';

	/**
	 * @param array $server the request's server values (REMOTE_ADDR, HTTP_...)
	 * @param string|null $trusted the cartsync_trusted_proxies setting
	 * @param string|null $header the cartsync_client_ip_header setting
	 * @param string $version the OpenCart release (VERSION)
	 * @return string|null the caller's IP; null when it cannot be told
	 */
	public static function of(array $server, $trusted, $header, $version) {
		$remote = self::connectingAddress($server, $version);
		if ($remote === null) {
			return null;
		}
		$ranges = preg_split('/[\s,]+/', is_string($trusted) ? $trusted : '', -1, PREG_SPLIT_NO_EMPTY);
		if (!self::inRanges($remote, $ranges)) {
			return $remote;
		}
		$name = is_string($header) && trim($header) !== '' ? trim($header) : self::DEFAULT_HEADER;
		$key = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
		$forwarded = isset($server[$key]) && is_string($server[$key]) ? $server[$key] : '';
		$client = $remote;
		foreach (array_reverse(explode(',', $forwarded)) as $hop) {
			$hop = trim($hop);
			if (filter_var($hop, FILTER_VALIDATE_IP) === false) {
				break;
			}
			$client = $hop;
			if (!self::inRanges($hop, $ranges)) {
				break;
			}
		}
		return $client;
	}

	private static function connectingAddress(array $server, $version) {
		$own = getenv('REMOTE_ADDR');
		if (is_string($own) && filter_var($own, FILTER_VALIDATE_IP) !== false) {
			return $own;
		}
		$remote = isset($server['REMOTE_ADDR']) ? (string)$server['REMOTE_ADDR'] : '';
		if (version_compare($version, '4.0.0.0', '>=') && version_compare($version, '4.1.0.0', '<')) {
			foreach (array('HTTP_X_FORWARDED_FOR', 'HTTP_CLIENT_IP') as $key) {
				if (!empty($server[$key]) && (string)$server[$key] === $remote) {
					return null;
				}
			}
		}
		return trim($remote);
	}

	private static function inRanges($ip, array $ranges) {
		$address = @inet_pton($ip);
		if ($address === false) {
			return false;
		}
		foreach ($ranges as $range) {
			if (self::inRange($address, $range)) {
				return true;
			}
		}
		return false;
	}

	/** Whether a packed address is in a range `ADDRESS` or `ADDRESS/BITS`; a malformed range matches nothing. */
	private static function inRange($address, $range) {
		$parts = explode('/', $range, 2);
		$network = @inet_pton($parts[0]);
		if ($network === false || strlen($network) !== strlen($address)) {
			return false;
		}
		$bits = strlen($address) * 8;
		if (isset($parts[1])) {
			if (!preg_match('/^[0-9]{1,3}$/', $parts[1]) || (int)$parts[1] > $bits) {
				return false;
			}
			$bits = (int)$parts[1];
		}
		$bytes = intdiv($bits, 8);
		if (substr($address, 0, $bytes) !== substr($network, 0, $bytes)) {
			return false;
		}
		$rest = $bits % 8;
		if ($rest === 0) {
			return true;
		}
		$mask = (0xFF << (8 - $rest)) & 0xFF;
		return (ord($address[$bytes]) & $mask) === (ord($network[$bytes]) & $mask);
	}
}
