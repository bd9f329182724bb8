<?php
/**
 * Validation of query parameters. Every value is checked against a strict pattern before it is
 * used, so nothing the caller sends reaches SQL except as a cast integer or an escaped string.
 */
class CartsyncParams {
	const MAX_ID_DIGITS = 18;

	private $get;

	public function __construct(array $get) {
		$this->get = $get;
	}

	/** The raw string value, null when absent or empty; an array is invalid. */
	public function text($name) {
		if (!isset($this->get[$name]) || $this->get[$name] === '') {
			return null;
		}
		if (!is_string($this->get[$name])) {
			throw CartsyncError::invalid($name, 'expected a single value');
		}
		return $this->get[$name];
	}

	public function id($name, $default = null) {
		$value = $this->text($name);
		if ($value === null) {
			return $default;
		}
		if (!preg_match('/^[0-9]{1,' . self::MAX_ID_DIGITS . '}$/', $value)) {
			throw CartsyncError::invalid($name, 'expected a non-negative integer');
		}
		return (int)$value;
	}

	/** A positive page size; values above $max are clamped to $max. */
	public function limit($name, $default, $max) {
		$value = $this->text($name);
		if ($value === null) {
			return $default;
		}
		if (!preg_match('/^[0-9]+$/', $value) || ltrim($value, '0') === '') {
			throw CartsyncError::invalid($name, 'expected a positive integer');
		}
		if (strlen(ltrim($value, '0')) > 9) {
			return $max;
		}
		return min((int)$value, $max);
	}

	/** A comma-separated list of ids, or null when absent. */
	public function idList($name) {
		$value = $this->text($name);
		if ($value === null) {
			return null;
		}
		$pattern = '[0-9]{1,' . self::MAX_ID_DIGITS . '}';
		if (!preg_match('/^' . $pattern . '(,' . $pattern . ')*$/', $value)) {
			throw CartsyncError::invalid($name, 'expected comma-separated integers');
		}
		return array_map('intval', explode(',', $value));
	}

	/** A database date "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS", or null when absent. */
	public function date($name) {
		$value = $this->text($name);
		if ($value === null) {
			return null;
		}
		if (!preg_match('/^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$/', $value)) {
			throw CartsyncError::invalid($name, 'expected YYYY-MM-DD HH:MM:SS');
		}
		return $value;
	}
}
