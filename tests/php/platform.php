<?php
/**
 * What OpenCart's registry hands a catalog controller, reduced to what the cartsync extension
 * uses: the database, the request, the response, the config and the session. Written for the
 * test harness from the documented behaviour of OpenCart (shared/reference/opencart.md); no
 * OpenCart code is used.
 */

/** The registry every controller reads its services from ($this->db, $this->request, ...). */
final class HarnessRegistry {
	private $services = array();

	public function get($name) {
		return isset($this->services[$name]) ? $this->services[$name] : null;
	}

	public function set($name, $service) {
		$this->services[$name] = $service;
	}

	public function has($name) {
		return isset($this->services[$name]);
	}
}

/** The base of OpenCart's controllers: registry services read as properties. */
abstract class HarnessController {
	protected $registry;

	public function __construct($registry) {
		$this->registry = $registry;
	}

	public function __get($name) {
		return $this->registry->get($name);
	}

	public function __set($name, $value) {
		$this->registry->set($name, $value);
	}
}

/** A result of a SELECT, shaped like OpenCart's: row, rows, num_rows. */
final class HarnessResult {
	public $row;
	public $rows;
	public $num_rows;

	public function __construct(array $rows) {
		$this->rows = $rows;
		$this->row = $rows ? $rows[0] : array();
		$this->num_rows = count($rows);
	}
}

/**
 * The database object. Like OpenCart's, the session is not in strict mode, and a failing query
 * throws an Exception whose text carries the database's error and the SQL.
 */
final class HarnessDb {
	private $link;

	public function __construct($socket, $user, $password, $database) {
		mysqli_report(MYSQLI_REPORT_OFF);
		$this->link = new mysqli(null, $user, $password, $database, 0, $socket);
		if ($this->link->connect_errno) {
			throw new Exception('Error: could not connect to the database: ' . $this->link->connect_error);
		}
		$this->link->set_charset('utf8mb4');
		$this->link->query("SET SESSION sql_mode = ''");
	}

	public function query($sql) {
		$result = $this->link->query($sql);
		if ($result === false) {
			throw new Exception('Error: ' . $this->link->error . '<br />Error No: ' . $this->link->errno . '<br />' . $sql);
		}
		if ($result === true) {
			return true;
		}
		$rows = $result->fetch_all(MYSQLI_ASSOC);
		$result->free();
		return new HarnessResult($rows);
	}

	public function escape($value) {
		return $this->link->real_escape_string((string)$value);
	}

	public function countAffected() {
		return $this->link->affected_rows;
	}

	public function getLastId() {
		return $this->link->insert_id;
	}
}

/**
 * The request. OpenCart HTML-escapes every GET, POST and cookie value (and key) before any
 * controller sees it; 3.0 and later also trim them.
 */
final class HarnessRequest {
	public $get;
	public $post;
	public $cookie;
	public $server;

	public function __construct($trim) {
		$this->get = self::clean($_GET, $trim);
		$this->post = self::clean($_POST, $trim);
		$this->cookie = self::clean($_COOKIE, $trim);
		$this->server = $_SERVER;
	}

	private static function clean($data, $trim) {
		if (!is_array($data)) {
			$text = htmlspecialchars((string)$data, ENT_COMPAT, 'UTF-8');
			return $trim ? trim($text) : $text;
		}
		$clean = array();
		foreach ($data as $key => $value) {
			$clean[self::clean($key, $trim)] = self::clean($value, $trim);
		}
		return $clean;
	}
}

/** The response: headers and one output, sent at the end of the request. */
final class HarnessResponse {
	private $headers = array();
	private $output = '';

	public function addHeader($header) {
		$this->headers[] = $header;
	}

	public function setOutput($output) {
		$this->output = $output;
	}

	public function getOutput() {
		return $this->output;
	}

	public function send() {
		foreach ($this->headers as $header) {
			header($header, true);
		}
		echo $this->output;
	}
}

/** The store's settings (oc_setting of store 0), read once per request as OpenCart does. */
final class HarnessConfig {
	private $values = array();

	public function get($key) {
		return isset($this->values[$key]) ? $this->values[$key] : null;
	}

	public function set($key, $value) {
		$this->values[$key] = $value;
	}

	public function load(HarnessDb $db) {
		foreach ($db->query("SELECT `key`, `value`, `serialized` FROM `" . DB_PREFIX . "setting` WHERE `store_id` = '0'")->rows as $row) {
			$this->values[$row['key']] = $row['serialized'] ? json_decode($row['value'], true) : $row['value'];
		}
		$language = $db->query("SELECT `language_id` FROM `" . DB_PREFIX . "language` WHERE `code` = '" . $db->escape((string)$this->get('config_language')) . "'");
		$this->values['config_language_id'] = $language->num_rows ? (int)$language->row['language_id'] : 0;
	}
}

/** The PHP session's data; the API area keeps `api_id` in it once a token is bound. */
final class HarnessSession {
	public $data = array();
}
