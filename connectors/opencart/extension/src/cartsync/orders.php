<?php
/** The orders route: orders with lines, options, totals and history, paged by (modified, order_id). */
class CartsyncOrders {
	const DEFAULT_LIMIT = 50;
	const MAX_LIMIT = 200;

	private static $addressFields = array('firstname', 'lastname', 'company', 'address_1', 'address_2', 'city', 'postcode', 'country', 'zone');
	private static $orderStrings = array('invoice_prefix', 'firstname', 'lastname', 'email', 'telephone', 'comment', 'date_added', 'date_modified', 'currency_code');

	private $db;
	private $schema;
	private $languageId;

	public function __construct($db, CartsyncSchema $schema, $languageId) {
		$this->db = $db;
		$this->schema = $schema;
		$this->languageId = (int)$languageId;
	}

	public function page(CartsyncParams $params) {
		$limit = $params->limit('limit', self::DEFAULT_LIMIT, self::MAX_LIMIT);
		$rows = $this->db->query($this->listSql($params, $limit + 1))->rows;
		$next = null;
		if (count($rows) > $limit) {
			$rows = array_slice($rows, 0, $limit);
			$last = $rows[$limit - 1];
			$next = array('after_modified' => (string)$last['cartsync_modified'], 'after_id' => (int)$last['order_id']);
		}
		$ids = array();
		foreach ($rows as $row) {
			$ids[] = (int)$row['order_id'];
		}
		$lines = $this->lines($ids);
		$totals = $this->groupByOrder("SELECT * FROM `" . DB_PREFIX . "order_total` WHERE `order_id` IN (" . $this->idSql($ids) . ") ORDER BY `order_id`, `sort_order`, `order_total_id`", array($this, 'total'), $ids);
		$history = $this->groupByOrder("SELECT h.*, s.`name` AS status_name FROM `" . DB_PREFIX . "order_history` h LEFT JOIN `" . DB_PREFIX . "order_status` s ON (s.`order_status_id` = h.`order_status_id` AND s.`language_id` = '" . $this->languageId . "') WHERE h.`order_id` IN (" . $this->idSql($ids) . ") ORDER BY h.`date_added`, h.`order_history_id`", array($this, 'historyEntry'), $ids);
		$orders = array();
		foreach ($rows as $row) {
			$id = (int)$row['order_id'];
			$order = $this->order($row);
			$order['products'] = $lines[$id];
			$order['totals'] = $totals[$id];
			$order['history'] = $history[$id];
			$orders[] = $order;
		}
		return array('orders' => $orders, 'next' => $next);
	}

	private function modifiedSql() {
		if ($this->schema->modifiedFromHistory) {
			return "COALESCE((SELECT MAX(oh.`date_added`) FROM `" . DB_PREFIX . "order_history` oh WHERE oh.`order_id` = o.`order_id`), o.`date_modified`)";
		}
		return "o.`date_modified`";
	}

	private function listSql(CartsyncParams $params, $limit) {
		$inner = array("o.`order_status_id` > '0'");
		$statusIds = $params->idList('status_ids');
		if ($statusIds !== null) {
			$inner[] = "o.`order_status_id` IN (" . $this->idSql($statusIds) . ")";
		}
		$orderIds = $params->idList('order_ids');
		if ($orderIds !== null) {
			$inner[] = "o.`order_id` IN (" . $this->idSql($orderIds) . ")";
		}
		$storeId = $params->id('filter_store_id');
		if ($storeId !== null) {
			$inner[] = "o.`store_id` = '" . (int)$storeId . "'";
		}
		$outer = array('1 = 1');
		$from = $params->date('modified_from');
		if ($from !== null) {
			$outer[] = "t.`cartsync_modified` >= '" . $this->db->escape($from) . "'";
		}
		$afterModified = $params->date('after_modified');
		$afterId = $params->id('after_id', 0);
		if ($afterModified !== null) {
			$after = $this->db->escape($afterModified);
			$outer[] = "(t.`cartsync_modified` > '" . $after . "' OR (t.`cartsync_modified` = '" . $after . "' AND t.`order_id` > '" . (int)$afterId . "'))";
		} elseif ($params->text('after_id') !== null) {
			throw CartsyncError::invalid('after_id', 'needs after_modified');
		}
		$address = array();
		foreach (array('shipping' => 's', 'payment' => 'p') as $kind => $alias) {
			$address[] = $alias . "c.`iso_code_2` AS " . $kind . "_iso_code_2, " . $alias . "c.`iso_code_3` AS " . $kind . "_iso_code_3, " . $alias . "z.`code` AS " . $kind . "_zone_code";
		}
		$joins = "";
		foreach (array('shipping' => 's', 'payment' => 'p') as $kind => $alias) {
			$joins .= " LEFT JOIN `" . DB_PREFIX . "country` " . $alias . "c ON (" . $alias . "c.`country_id` = o.`" . $kind . "_country_id`)"
				. " LEFT JOIN `" . DB_PREFIX . "zone` " . $alias . "z ON (" . $alias . "z.`zone_id` = o.`" . $kind . "_zone_id`)";
		}
		return "SELECT t.* FROM (SELECT o.*, " . $this->modifiedSql() . " AS cartsync_modified, os.`name` AS status_name, " . implode(', ', $address)
			. " FROM `" . DB_PREFIX . "order` o"
			. " LEFT JOIN `" . DB_PREFIX . "order_status` os ON (os.`order_status_id` = o.`order_status_id` AND os.`language_id` = '" . $this->languageId . "')"
			. $joins
			. " WHERE " . implode(' AND ', $inner) . ") t"
			. " WHERE " . implode(' AND ', $outer)
			. " ORDER BY t.`cartsync_modified`, t.`order_id` LIMIT " . (int)$limit;
	}

	private function order(array $row) {
		$order = array(
			'order_id' => (int)$row['order_id'],
			'store_id' => (int)$row['store_id'],
			'customer_id' => (int)$row['customer_id'],
			'order_status_id' => (int)$row['order_status_id'],
			'order_status' => CartsyncText::plain((string)$row['status_name']),
			'modified' => (string)$row['cartsync_modified'],
			'currency_value' => (float)$row['currency_value'],
			'total' => (float)$row['total'],
		);
		foreach (self::$orderStrings as $field) {
			$order[$field] = CartsyncText::plain((string)$row[$field]);
		}
		foreach (array('shipping', 'payment') as $kind) {
			foreach (self::$addressFields as $field) {
				$order[$kind . '_' . $field] = CartsyncText::plain((string)$row[$kind . '_' . $field]);
			}
			$order[$kind . '_country_id'] = (int)$row[$kind . '_country_id'];
			$order[$kind . '_zone_id'] = (int)$row[$kind . '_zone_id'];
			foreach (array('iso_code_2', 'iso_code_3', 'zone_code') as $field) {
				$value = $row[$kind . '_' . $field];
				$order[$kind . '_' . $field] = CartsyncText::plain($value);
			}
			$method = $this->method($row, $kind);
			$order[$kind . '_code'] = $method[0];
			$order[$kind . '_method'] = $method[1];
		}
		return $order;
	}

	/** [code, name] of the order's shipping or payment method, as people see them. */
	private function method(array $row, $kind) {
		$stored = (string)$row[$kind . '_method'];
		if (!$this->schema->jsonMethods) {
			return array(CartsyncText::plain((string)$row[$kind . '_code']), CartsyncText::plain($stored));
		}
		$decoded = json_decode(html_entity_decode($stored, ENT_QUOTES, 'UTF-8'), true);
		if (!is_array($decoded)) {
			return array('', CartsyncText::plain($stored));
		}
		return array(
			isset($decoded['code']) ? (string)$decoded['code'] : '',
			isset($decoded['name']) ? (string)$decoded['name'] : (isset($decoded['title']) ? (string)$decoded['title'] : ''),
		);
	}

	/** Order lines by order id; the LEFT JOIN keeps lines of deleted products, with sku null. */
	private function lines(array $ids) {
		$options = $this->groupBy("SELECT * FROM `" . DB_PREFIX . "order_option` WHERE `order_id` IN (" . $this->idSql($ids) . ") ORDER BY `order_option_id`", 'order_product_id', array($this, 'option'));
		$sql = "SELECT op.*, " . $this->schema->skuSql('p') . " AS product_sku FROM `" . DB_PREFIX . "order_product` op"
			. " LEFT JOIN `" . DB_PREFIX . "product` p ON (p.`product_id` = op.`product_id`)"
			. " WHERE op.`order_id` IN (" . $this->idSql($ids) . ") ORDER BY op.`order_id`, op.`order_product_id`";
		$lines = array_fill_keys($ids, array());
		foreach ($this->db->query($sql)->rows as $row) {
			$lineId = (int)$row['order_product_id'];
			$lines[(int)$row['order_id']][] = array(
				'order_product_id' => $lineId,
				'product_id' => (int)$row['product_id'],
				'name' => CartsyncText::plain($row['name']),
				'model' => CartsyncText::plain($row['model']),
				'sku' => CartsyncText::plain($row['product_sku']),
				'quantity' => (int)$row['quantity'],
				'price' => (float)$row['price'],
				'total' => (float)$row['total'],
				'tax' => (float)$row['tax'],
				'options' => isset($options[$lineId]) ? $options[$lineId] : array(),
			);
		}
		return $lines;
	}

	public function option(array $row) {
		return array(
			'product_option_id' => (int)$row['product_option_id'],
			'product_option_value_id' => (int)$row['product_option_value_id'],
			'name' => CartsyncText::plain($row['name']),
			'value' => CartsyncText::plain($row['value']),
			'type' => (string)$row['type'],
		);
	}

	public function total(array $row) {
		return array('code' => (string)$row['code'], 'title' => CartsyncText::plain($row['title']), 'value' => (float)$row['value'], 'sort_order' => (int)$row['sort_order']);
	}

	public function historyEntry(array $row) {
		return array(
			'order_status_id' => (int)$row['order_status_id'],
			'order_status' => CartsyncText::plain($row['status_name']),
			'notify' => (int)$row['notify'],
			'comment' => CartsyncText::plain((string)$row['comment']),
			'date_added' => (string)$row['date_added'],
		);
	}

	private function groupByOrder($sql, $map, array $ids) {
		return $this->groupBy($sql, 'order_id', $map) + array_fill_keys($ids, array());
	}

	private function groupBy($sql, $key, $map) {
		$groups = array();
		foreach ($this->db->query($sql)->rows as $row) {
			$groups[(int)$row[$key]][] = call_user_func($map, $row);
		}
		return $groups;
	}

	/** A SQL list of integers; never empty, so "IN (...)" stays valid. */
	private function idSql(array $ids) {
		return $ids ? implode(',', array_map('intval', $ids)) : '0';
	}
}
