<?php
/**
 * Authentication of the caller for the variants whose routes OpenCart does not protect itself:
 * an api_token checked against oc_api_session (3.0 installer package, 4.0) and the 4.1 request
 * signature. Each check also applies the API user's status and its IP list.
 */
class CartsyncGuard {
	/** Idle time after which OpenCart deletes an API session row. */
	const SESSION_IDLE_HOURS = 1;
	/** The clock difference 4.1's own API accepts. */
	const SIGNATURE_WINDOW = 450;

	private $db;

	public function __construct($db) {
		$this->db = $db;
	}

	/** The caller of a route inside OpenCart's own api/ area: OpenCart bound the token to the session. */
	public static function requireSession($session) {
		if (!$session || empty($session->data['api_id'])) {
			throw CartsyncError::permission('No API session: log in through api/login and pass its token');
		}
		return (int)$session->data['api_id'];
	}

	/** Checks an api_token; returns the API user's id. */
	public function requireToken($token, $ip) {
		if (!is_string($token) || $token === '') {
			throw CartsyncError::permission('Missing api_token');
		}
		$query = $this->db->query("SELECT s.`api_session_id`, a.`api_id`, a.`status` FROM `" . DB_PREFIX . "api_session` s"
			. " INNER JOIN `" . DB_PREFIX . "api` a ON (a.`api_id` = s.`api_id`)"
			. " WHERE s.`session_id` = '" . $this->db->escape($token) . "'"
			. " AND TIMESTAMPADD(HOUR, " . self::SESSION_IDLE_HOURS . ", s.`date_modified`) >= NOW()");
		if (!$query->num_rows) {
			throw CartsyncError::permission('Invalid or expired api_token');
		}
		if ((int)$query->row['status'] !== 1) {
			throw CartsyncError::permission('The API user is disabled');
		}
		$apiId = (int)$query->row['api_id'];
		$this->requireIp($apiId, $ip);
		// Keep the session alive, as OpenCart does for its own API routes.
		$this->db->query("UPDATE `" . DB_PREFIX . "api_session` SET `date_modified` = NOW() WHERE `api_session_id` = '" . (int)$query->row['api_session_id'] . "'");
		return $apiId;
	}

	/**
	 * Checks a request signed like 4.1's own API calls, with two more lines: the request's nonce
	 * and the sha256 of its raw body, so that the signature covers a JSON body too; each signature
	 * is taken once (CartsyncReplay). Returns the API user's id.
	 *
	 * @param array $get the query parameters, $post the form POST fields, $server the request's server values
	 * @param string $body the raw request body (php://input)
	 */
	public function requireSignature(array $get, array $post, array $server, $ip, $now, $body, CartsyncReplay $replay) {
		foreach (array('route', 'call', 'username', 'store_id', 'language', 'currency', 'time', 'signature', 'nonce') as $key) {
			if (!isset($get[$key]) || !is_string($get[$key]) || ($key === 'nonce' && !preg_match('/^[A-Za-z0-9_-]{16,64}$/', $get[$key]))) {
				throw CartsyncError::permission('Missing or invalid signature parameter ' . $key);
			}
		}
		$query = $this->db->query("SELECT `api_id`, `username`, `key` FROM `" . DB_PREFIX . "api` WHERE `username` = '" . $this->db->escape($get['username']) . "' AND `status` = '1'");
		if (!$query->num_rows) {
			throw CartsyncError::permission('Unknown or disabled API user');
		}
		$time = (int)$get['time'];
		if (!preg_match('/^[0-9]{1,12}$/', $get['time']) || abs($now - $time) > self::SIGNATURE_WINDOW) {
			throw CartsyncError::permission('The request time is outside the accepted clock window of ' . self::SIGNATURE_WINDOW . ' seconds');
		}
		$path = !empty($server['PHP_SELF']) ? rtrim(dirname($server['PHP_SELF']), '/') . '/' : '/';
		$host = isset($server['HTTP_HOST']) ? (string)$server['HTTP_HOST'] : '';
		$string = $get['route'] . "\n"
			. $get['call'] . "\n"
			. $query->row['username'] . "\n"
			. $host . "\n"
			. $path . "\n"
			. (int)$get['store_id'] . "\n"
			. $get['language'] . "\n"
			. $get['currency'] . "\n"
			. md5(http_build_query($post)) . "\n"
			. $time . "\n"
			. $get['nonce'] . "\n"
			. hash('sha256', (string)$body) . "\n";
		$signature = rawurldecode($get['signature']);
		$expected = base64_encode(hash_hmac('sha1', $string, $query->row['key'], true));
		if (!hash_equals($expected, $signature)) {
			// Host and path name no secret, and a proxy that changes them is a cause the caller can fix.
			throw CartsyncError::permission('Bad signature (the store checked it for host ' . $host . ' and path ' . $path . ')');
		}
		$apiId = (int)$query->row['api_id'];
		$this->requireIp($apiId, $ip);
		if (!$replay->takeOnce($signature, $time + self::SIGNATURE_WINDOW, $now)) {
			throw CartsyncError::permission('This signed request was already used; each request is signed with a new nonce');
		}
		return $apiId;
	}

	private function requireIp($apiId, $ip) {
		if ($ip === null) {
			throw CartsyncError::ipUnknown();
		}
		$query = $this->db->query("SELECT 1 FROM `" . DB_PREFIX . "api_ip` WHERE `api_id` = '" . (int)$apiId . "' AND TRIM(`ip`) = '" . $this->db->escape((string)$ip) . "'");
		if (!$query->num_rows) {
			throw CartsyncError::ip((string)$ip);
		}
	}
}
