<?php
/**
 * Text as people see it. OpenCart HTML-escapes every request field before it stores it
 * (htmlspecialchars, ENT_COMPAT), so names, addresses and comments sit in the database as
 * `Smith &amp; Sons`. The extension gives text unescaped, exactly once: the escaping OpenCart did
 * is undone, and nothing more (`&amp;lt;` becomes `&lt;`, as the admin shows it).
 */
class CartsyncText {
	private static $entities = array('&amp;' => '&', '&lt;' => '<', '&gt;' => '>', '&quot;' => '"', '&#039;' => "'", '&#39;' => "'");

	/** A stored text as people see it; null stays null. */
	public static function plain($stored) {
		return $stored === null ? null : strtr((string)$stored, self::$entities);
	}
}
