<?php
/**
 * The parts of OpenCart's own API that a cartsync client meets, version by version, as the
 * reference describes them: the login routes, the binding of a token to the session before an
 * api/ controller runs, the order history write, and 4.1's signed calls. Replies carry the texts
 * each version answers. Not reproduced: the stock taken or put back by a status change, and the
 * "Order Update" mail (real stores show those).
 */
final class HarnessStockApi {
	const SUCCESS = 'Success: API session successfully started!';
	const BAD_KEY = 'Warning: Incorrect API Key!';
	const IP_TEXT = 'Warning: Your IP %s is not allowed to access this API!';
	const NO_PERMISSION = 'Warning: You do not have permission to access the API!';
	const HISTORY_OK = 'Success: You have modified orders!';
	const ORDER_NOT_FOUND = 'Warning: Order could not be found!';
	const FORBIDDEN_41 = 'You do not have permission to access this page.';
	const SESSION_IDLE_HOURS = 1;
	const SIGNATURE_WINDOW = 450;

	private $family;
	private $db;
	private $request;
	private $response;
	private $config;
	private $session;

	public function __construct($family, HarnessRegistry $registry) {
		$this->family = $family;
		$this->db = $registry->get('db');
		$this->request = $registry->get('request');
		$this->response = $registry->get('response');
		$this->config = $registry->get('config');
		$this->session = $registry->get('session');
	}

	/** Serves the route if it is one of OpenCart's own API routes; false when it is not. */
	public function serve($route) {
		if ($this->family === '4.1') {
			if ($route === 'api/order') {
				$this->signedCall();
				return true;
			}
			if (strpos($route, 'api/') === 0) {
				$this->json(array('error' => self::FORBIDDEN_41), 403);
				return true;
			}
			return false;
		}
		$login = $this->family === '4.0' ? 'api/account/login' : 'api/login';
		$history = $this->family === '4.0' ? 'api/sale/order.addHistory' : 'api/order/history';
		if ($route === $login) {
			$this->login();
			return true;
		}
		if ($this->family === '4.0' && strpos($route, 'api/') === 0 && $this->deadToken()) {
			// 4.0 fails any api/ route whose token has no live session before the router runs: PHP's
			// fatal error text.
			$this->response->setOutput("<br />\n<b>Fatal error</b>:  Uncaught Error: Call to a member function get() on null in catalog/controller/api/sale/order.php");
			return true;
		}
		if ($route === $history) {
			$this->history();
			return true;
		}
		return false;
	}

	/**
	 * Binds the token of an api/ route to the session (2.x and 3.0): session api_id is set when the
	 * token (and on 2.3 the PHPSESSID cookie) names a live session of an enabled API user whose IP
	 * list has the caller. Returns false when OpenCart itself fails the request (2.1: HTTP 500).
	 */
	public function bindSession() {
		$name = $this->family === '3.0' ? 'api_token' : 'token';
		$token = isset($this->request->get[$name]) ? (string)$this->request->get[$name] : '';
		if ($token === '') {
			return true;
		}
		$apiId = $this->liveSession($token);
		if ($apiId === null && $this->family === '2.1') {
			http_response_code(500);
			return false;
		}
		if ($apiId !== null) {
			$this->session->data['api_id'] = $apiId;
		}
		return true;
	}

	private function liveSession($token) {
		$this->db->query("DELETE FROM `" . DB_PREFIX . "api_session` WHERE TIMESTAMPADD(HOUR, " . self::SESSION_IDLE_HOURS . ", `date_modified`) < NOW()");
		$column = $this->isLegacy() ? 'token' : 'session_id';
		$sql = "SELECT s.`api_session_id`, s.`api_id` FROM `" . DB_PREFIX . "api_session` s"
			. " INNER JOIN `" . DB_PREFIX . "api` a ON (a.`api_id` = s.`api_id` AND a.`status` = '1')"
			. " INNER JOIN `" . DB_PREFIX . "api_ip` ip ON (ip.`api_id` = s.`api_id` AND ip.`ip` = '" . $this->db->escape($this->request->server['REMOTE_ADDR']) . "')"
			. " WHERE s.`" . $column . "` = '" . $this->db->escape($token) . "'";
		if ($this->family === '2.3') {
			$cookie = isset($this->request->cookie['PHPSESSID']) ? (string)$this->request->cookie['PHPSESSID'] : '';
			$sql .= " AND s.`session_id` = '" . $this->db->escape($cookie) . "'";
		}
		$query = $this->db->query($sql);
		if (!$query->num_rows) {
			return null;
		}
		$this->db->query("UPDATE `" . DB_PREFIX . "api_session` SET `date_modified` = NOW() WHERE `api_session_id` = '" . (int)$query->row['api_session_id'] . "'");
		return (int)$query->row['api_id'];
	}

	private function login() {
		$post = $this->request->post;
		$key = isset($post['key']) ? (string)$post['key'] : '';
		$ip = $this->request->server['REMOTE_ADDR'];
		if ($this->family === '2.1') {
			// 2.1 checks the IP list of the store's default API user, whoever signs in.
			if (!$this->ipAllowed((int)$this->config->get('config_api_id'), $ip)) {
				$this->json(array('error' => array('ip' => sprintf(self::IP_TEXT, $ip))));
				return;
			}
			$user = $this->user("`key` = '" . $this->db->escape($key) . "'");
			if ($user === null) {
				$this->json(array('error' => array('key' => self::BAD_KEY)));
				return;
			}
			$this->startSession($user, $ip, 'token');
			return;
		}
		if ($this->family === '4.0') {
			$username = isset($post['username']) ? (string)$post['username'] : '';
			$user = $key === '' ? null : $this->user("`username` = '" . $this->db->escape($username) . "' AND `key` = '" . $this->db->escape($key) . "'");
			if ($user === null) {
				$this->json(array('error' => self::BAD_KEY));
			} elseif (!$this->ipAllowed($user, $ip)) {
				$this->json(array('error' => sprintf(self::IP_TEXT, $ip)));
			} else {
				$this->startSession($user, $ip, 'api_token');
			}
			return;
		}
		if ($this->family === '2.3') {
			$where = "`key` = '" . $this->db->escape($key) . "'";  // 2.3 ignores the username
		} else {
			$username = isset($post['username']) ? (string)$post['username'] : 'Default';
			$where = "`username` = '" . $this->db->escape($username) . "' AND `key` = '" . $this->db->escape($key) . "'";
		}
		$user = $key === '' ? null : $this->user($where);
		if ($user === null) {
			$this->json(array());
		} elseif (!$this->ipAllowed($user, $ip)) {
			$this->json(array('error' => array('ip' => sprintf(self::IP_TEXT, $ip), 'key' => self::BAD_KEY)));
		} else {
			$this->startSession($user, $ip, $this->family === '3.0' ? 'api_token' : 'token');
		}
	}

	/** An enabled API user's id matching a WHERE clause, or null. */
	private function user($where) {
		$query = $this->db->query("SELECT `api_id` FROM `" . DB_PREFIX . "api` WHERE " . $where . " AND `status` = '1'");
		return $query->num_rows ? (int)$query->row['api_id'] : null;
	}

	private function ipAllowed($apiId, $ip) {
		return $this->db->query("SELECT 1 FROM `" . DB_PREFIX . "api_ip` WHERE `api_id` = '" . (int)$apiId . "' AND `ip` = '" . $this->db->escape($ip) . "'")->num_rows > 0;
	}

	private function startSession($apiId, $ip, $tokenName) {
		$token = bin2hex(random_bytes(16));
		$columns = "`api_id` = '" . (int)$apiId . "', `ip` = '" . $this->db->escape($ip) . "', `date_added` = NOW(), `date_modified` = NOW()";
		if ($this->isLegacy()) {
			$sessionId = bin2hex(random_bytes(13));
			$columns .= ", `token` = '" . $token . "', `session_id` = '" . $sessionId . "'";
			if ($this->family === '2.3') {
				$this->response->addHeader('Set-Cookie: PHPSESSID=' . $sessionId . '; path=/; HttpOnly');
			}
		} else {
			$columns .= ", `session_id` = '" . $token . "'";
		}
		$this->db->query("INSERT INTO `" . DB_PREFIX . "api_session` SET " . $columns);
		$this->json(array('success' => self::SUCCESS, $tokenName => $token));
	}

	private function deadToken() {
		$token = isset($this->request->get['api_token']) ? (string)$this->request->get['api_token'] : '';
		return $token !== '' && $this->liveSession($token) === null;
	}

	private function history() {
		$post = $this->request->post;
		if ($this->family === '4.0') {
			$token = isset($this->request->get['api_token']) ? (string)$this->request->get['api_token'] : '';
			if ($token === '') {
				harness_not_found($this->response);
				return;
			}
			$orderId = isset($post['order_id']) ? $post['order_id'] : 0;
		} else {
			if (empty($this->session->data['api_id'])) {
				$this->json(array('error' => array('warning' => self::NO_PERMISSION)));
				return;
			}
			$orderId = isset($this->request->get['order_id']) ? $this->request->get['order_id'] : 0;
		}
		$this->addHistory($orderId, $post);
	}

	private function signedCall() {
		$get = $this->request->get;
		foreach (array('call', 'username', 'store_id', 'language', 'currency', 'time', 'signature') as $name) {
			if (!isset($get[$name]) || !is_string($get[$name])) {
				$this->json(array('error' => self::FORBIDDEN_41), 403);
				return;
			}
		}
		$query = $this->db->query("SELECT `api_id`, `key` FROM `" . DB_PREFIX . "api` WHERE `username` = '" . $this->db->escape($get['username']) . "' AND `status` = '1'");
		$server = $this->request->server;
		$string = implode("\n", array(
			'api/order', $get['call'], $get['username'], isset($server['HTTP_HOST']) ? $server['HTTP_HOST'] : '',
			rtrim(dirname($server['PHP_SELF']), '/') . '/', $get['store_id'], $get['language'], $get['currency'],
			md5(http_build_query($this->request->post)), $get['time'],
		)) . "\n";
		$valid = $query->num_rows
			&& abs(time() - (int)$get['time']) <= self::SIGNATURE_WINDOW
			&& hash_equals(base64_encode(hash_hmac('sha1', $string, $query->row['key'], true)), $get['signature'])
			&& $this->ipAllowed((int)$query->row['api_id'], oc_get_ip());
		if (!$valid) {
			$this->json(array('error' => self::FORBIDDEN_41), 403);
			return;
		}
		if ($get['call'] !== 'history_add') {
			$this->json(array('error' => 'Warning: unknown call ' . $get['call'] . '!'));
			return;
		}
		$this->addHistory(isset($this->request->post['order_id']) ? $this->request->post['order_id'] : 0, $this->request->post);
	}

	/** OpenCart's addOrderHistory, as far as the order's rows go; 4.1 leaves date_modified alone. */
	private function addHistory($orderId, array $post) {
		$order = $this->db->query("SELECT `order_id` FROM `" . DB_PREFIX . "order` WHERE `order_id` = '" . (int)$orderId . "'");
		if (!$order->num_rows) {
			$this->json(array('error' => self::ORDER_NOT_FOUND));
			return;
		}
		$statusId = isset($post['order_status_id']) ? (int)$post['order_status_id'] : 0;
		$notify = !empty($post['notify']) ? 1 : 0;
		$comment = isset($post['comment']) ? (string)$post['comment'] : '';
		$modified = $this->family === '4.1' ? '' : ", `date_modified` = NOW()";
		$this->db->query("UPDATE `" . DB_PREFIX . "order` SET `order_status_id` = '" . $statusId . "'" . $modified . " WHERE `order_id` = '" . (int)$orderId . "'");
		$this->db->query("INSERT INTO `" . DB_PREFIX . "order_history` SET `order_id` = '" . (int)$orderId . "', `order_status_id` = '" . $statusId . "', `notify` = '" . $notify . "', `comment` = '" . $this->db->escape($comment) . "', `date_added` = NOW()");
		$this->json(array('success' => self::HISTORY_OK));
	}

	/** 2.x keeps a token beside the PHP session id in oc_api_session; 3.0 and 4.0 use the session id as the token. */
	private function isLegacy() {
		return $this->family === '2.1' || $this->family === '2.3';
	}

	private function json($body, $status = 200) {
		http_response_code($status);
		$this->response->addHeader('Content-Type: application/json');
		$this->response->setOutput(json_encode($body));
	}
}
