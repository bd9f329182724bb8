<?php
/** The statuses, products and stock routes. */
class CartsyncCatalog {
	const DEFAULT_PRODUCT_LIMIT = 100;
	const MAX_PRODUCT_LIMIT = 500;
	const MAX_STOCK_ITEMS = 500;
	/** oc_product.quantity and oc_product_option_value.quantity are signed 32-bit columns. */
	const MAX_QUANTITY = 2147483647;

	private $db;
	private $schema;
	private $languageId;

	public function __construct($db, CartsyncSchema $schema, $languageId) {
		$this->db = $db;
		$this->schema = $schema;
		$this->languageId = (int)$languageId;
	}

	public function statuses($languageId) {
		$statuses = array();
		$query = $this->db->query("SELECT `order_status_id`, `name` FROM `" . DB_PREFIX . "order_status` WHERE `language_id` = '" . (int)$languageId . "' ORDER BY `order_status_id`");
		foreach ($query->rows as $row) {
			$statuses[] = array('order_status_id' => (int)$row['order_status_id'], 'name' => CartsyncText::plain((string)$row['name']));
		}
		return array('statuses' => $statuses);
	}

	public function products(CartsyncParams $params) {
		$limit = $params->limit('limit', self::DEFAULT_PRODUCT_LIMIT, self::MAX_PRODUCT_LIMIT);
		$afterId = $params->id('after_id', 0);
		$rows = $this->db->query("SELECT p.`product_id`, p.`model`, " . $this->schema->skuSql('p') . " AS product_sku, p.`quantity`, p.`subtract`, p.`status`, pd.`name`"
			. " FROM `" . DB_PREFIX . "product` p"
			. " LEFT JOIN `" . DB_PREFIX . "product_description` pd ON (pd.`product_id` = p.`product_id` AND pd.`language_id` = '" . $this->languageId . "')"
			. " WHERE p.`product_id` > '" . (int)$afterId . "' ORDER BY p.`product_id` LIMIT " . (int)($limit + 1))->rows;
		$next = null;
		if (count($rows) > $limit) {
			$rows = array_slice($rows, 0, $limit);
			$next = array('after_id' => (int)$rows[$limit - 1]['product_id']);
		}
		$ids = array();
		foreach ($rows as $row) {
			$ids[] = (int)$row['product_id'];
		}
		$options = $this->productOptions($ids);
		$products = array();
		foreach ($rows as $row) {
			$id = (int)$row['product_id'];
			$products[] = array(
				'product_id' => $id,
				'name' => CartsyncText::plain((string)$row['name']),
				'model' => CartsyncText::plain($row['model']),
				'sku' => CartsyncText::plain($row['product_sku']),
				'quantity' => (int)$row['quantity'],
				'subtract' => (int)$row['subtract'],
				'status' => (int)$row['status'],
				'options' => isset($options[$id]) ? array_values($options[$id]) : array(),
			);
		}
		return array('products' => $products, 'next' => $next);
	}

	private function productOptions(array $ids) {
		if (!$ids) {
			return array();
		}
		$idSql = implode(',', $ids);
		$options = array();
		$optionProduct = array();
		$query = $this->db->query("SELECT po.`product_option_id`, po.`product_id`, po.`option_id`, o.`type`, od.`name` FROM `" . DB_PREFIX . "product_option` po"
			. " LEFT JOIN `" . DB_PREFIX . "option` o ON (o.`option_id` = po.`option_id`)"
			. " LEFT JOIN `" . DB_PREFIX . "option_description` od ON (od.`option_id` = po.`option_id` AND od.`language_id` = '" . $this->languageId . "')"
			. " WHERE po.`product_id` IN (" . $idSql . ") ORDER BY po.`product_option_id`");
		foreach ($query->rows as $row) {
			$optionId = (int)$row['product_option_id'];
			$optionProduct[$optionId] = (int)$row['product_id'];
			$options[(int)$row['product_id']][$optionId] = array(
				'product_option_id' => $optionId,
				'option_id' => (int)$row['option_id'],
				'name' => CartsyncText::plain((string)$row['name']),
				'type' => (string)$row['type'],
				'values' => array(),
			);
		}
		$query = $this->db->query("SELECT pov.`product_option_value_id`, pov.`product_option_id`, pov.`option_value_id`, pov.`quantity`, pov.`subtract`, ovd.`name` FROM `" . DB_PREFIX . "product_option_value` pov"
			. " LEFT JOIN `" . DB_PREFIX . "option_value_description` ovd ON (ovd.`option_value_id` = pov.`option_value_id` AND ovd.`language_id` = '" . $this->languageId . "')"
			. " WHERE pov.`product_id` IN (" . $idSql . ") ORDER BY pov.`product_option_value_id`");
		foreach ($query->rows as $row) {
			$optionId = (int)$row['product_option_id'];
			if (!isset($optionProduct[$optionId])) {
				continue;
			}
			$options[$optionProduct[$optionId]][$optionId]['values'][] = array(
				'product_option_value_id' => (int)$row['product_option_value_id'],
				'option_value_id' => (int)$row['option_value_id'],
				'name' => CartsyncText::plain((string)$row['name']),
				'quantity' => (int)$row['quantity'],
				'subtract' => (int)$row['subtract'],
			);
		}
		return $options;
	}

	/**
	 * Sets quantities from a JSON body {"items": [...], "option_products": "sum"|"keep"}; one result
	 * per item, in order. With "sum" (the default) a product whose option values were set follows
	 * them in the same call (see optionStock), so the storefront can sell what its options hold.
	 */
	public function setStock($body) {
		$decoded = is_string($body) ? json_decode($body, true) : null;
		if (!is_array($decoded) || !isset($decoded['items']) || !is_array($decoded['items']) || ($decoded['items'] && array_keys($decoded['items']) !== range(0, count($decoded['items']) - 1))) {
			throw CartsyncError::invalid('items', 'expected a JSON body {"items": [...]}');
		}
		if (count($decoded['items']) > self::MAX_STOCK_ITEMS) {
			throw CartsyncError::invalid('items', 'at most ' . self::MAX_STOCK_ITEMS . ' items per call');
		}
		$optionProducts = isset($decoded['option_products']) ? $decoded['option_products'] : 'sum';
		if (!in_array($optionProducts, array('sum', 'keep'), true)) {
			throw CartsyncError::invalid('option_products', 'expected sum or keep');
		}
		$results = array();
		$optionProductIds = array();
		foreach ($decoded['items'] as $item) {
			$result = $this->setItem($item);
			if (isset($result['product_option_value_id'])) {
				$optionProductIds[$result['product_id']] = $result['product_id'];
			}
			$results[] = $result;
		}
		if ($optionProducts === 'sum' && $optionProductIds) {
			$quantities = $this->followOptionStock(array_values($optionProductIds));
			foreach ($results as $index => $result) {
				if (isset($result['product_option_value_id']) && isset($quantities[$result['product_id']])) {
					$results[$index]['product_quantity'] = $quantities[$result['product_id']];
				}
			}
		}
		return array('results' => $results);
	}

	/**
	 * Sets each product's quantity to what its option values allow, and returns it by product id:
	 * OpenCart sells a product only while its own quantity covers the order, and every unit sold
	 * takes one value of each of its options. So the quantity is the sum of the option's values
	 * that take stock (subtract=1; an oversold value counts as 0), the smallest such sum when
	 * several options take stock. A product none of whose values take stock is left alone.
	 */
	private function followOptionStock(array $productIds) {
		$query = $this->db->query("SELECT `product_id`, `product_option_id`, SUM(GREATEST(`quantity`, 0)) AS stock FROM `" . DB_PREFIX . "product_option_value`"
			. " WHERE `product_id` IN (" . implode(',', array_map('intval', $productIds)) . ") AND `subtract` = '1'"
			. " GROUP BY `product_id`, `product_option_id`");
		$quantities = array();
		foreach ($query->rows as $row) {
			$productId = (int)$row['product_id'];
			$stock = (int)min((float)$row['stock'], self::MAX_QUANTITY);
			$quantities[$productId] = isset($quantities[$productId]) ? min($quantities[$productId], $stock) : $stock;
		}
		foreach ($quantities as $productId => $quantity) {
			$this->db->query("UPDATE `" . DB_PREFIX . "product` SET `quantity` = '" . (int)$quantity . "' WHERE `product_id` = '" . (int)$productId . "'");
		}
		return $quantities;
	}

	private function setItem($item) {
		$problem = $this->itemProblem($item);
		if ($problem !== null) {
			return array('status' => 'invalid', 'message' => $problem);
		}
		$quantity = $item['quantity'];
		list($field, $value) = isset($item['sku']) ? array('sku', $item['sku']) : array('model', $item['model']);
		$productIds = $this->productIds($field, $value);
		if (!$productIds && $field === 'sku') {
			// A product without a SKU is known by its model, which then stands for its SKU.
			$productIds = $this->productIds('model', $value);
			$field = $productIds ? 'model' : 'sku or model';
		}
		if (!$productIds) {
			return array('status' => 'not_found', 'message' => 'No product has ' . $field . ' ' . $value);
		}
		if (count($productIds) > 1) {
			return array('status' => 'ambiguous', 'message' => 'Products ' . implode(', ', $productIds) . ' share ' . $field . ' ' . $value);
		}
		$productId = $productIds[0];
		if (!isset($item['option'])) {
			$this->db->query("UPDATE `" . DB_PREFIX . "product` SET `quantity` = '" . (int)$quantity . "' WHERE `product_id` = '" . (int)$productId . "'");
			return array('status' => 'updated', 'product_id' => $productId, 'quantity' => $this->storedQuantity('product', 'product_id', $productId));
		}
		$valueIds = $this->optionValueIds($productId, $item['option'], $item['value']);
		if (!$valueIds) {
			return array('status' => 'not_found', 'product_id' => $productId, 'message' => 'Product ' . $productId . ' has no option value ' . $item['option'] . ' = ' . $item['value']);
		}
		if (count($valueIds) > 1) {
			return array('status' => 'ambiguous', 'product_id' => $productId, 'message' => 'Product ' . $productId . ' has several option values ' . $item['option'] . ' = ' . $item['value']);
		}
		$this->db->query("UPDATE `" . DB_PREFIX . "product_option_value` SET `quantity` = '" . (int)$quantity . "' WHERE `product_option_value_id` = '" . (int)$valueIds[0] . "'");
		return array(
			'status' => 'updated',
			'product_id' => $productId,
			'product_option_value_id' => $valueIds[0],
			'quantity' => $this->storedQuantity('product_option_value', 'product_option_value_id', $valueIds[0]),
		);
	}

	/** Why an item cannot be applied, or null when it can. */
	private function itemProblem($item) {
		if (!is_array($item)) {
			return 'An item must be an object';
		}
		if (!isset($item['quantity']) || !is_int($item['quantity']) || abs($item['quantity']) > self::MAX_QUANTITY) {
			return 'quantity must be an integer between -' . self::MAX_QUANTITY . ' and ' . self::MAX_QUANTITY;
		}
		foreach (array('sku', 'model', 'option', 'value') as $field) {
			if (isset($item[$field]) && (!is_string($item[$field]) || $item[$field] === '')) {
				return $field . ' must be a non-empty string';
			}
		}
		if (!isset($item['sku']) && !isset($item['model'])) {
			return 'An item needs sku or model';
		}
		if (isset($item['option']) !== isset($item['value'])) {
			return 'option and value go together';
		}
		return null;
	}

	private function productIds($field, $value) {
		if ($field === 'sku' && $this->schema->skuInProductCode) {
			$sql = "SELECT DISTINCT `product_id` FROM `" . DB_PREFIX . "product_code` WHERE `code` = 'SKU' AND `value` IN (" . $this->namesSql($value) . ")";
		} else {
			$sql = "SELECT `product_id` FROM `" . DB_PREFIX . "product` WHERE `" . ($field === 'sku' ? 'sku' : 'model') . "` IN (" . $this->namesSql($value) . ")";
		}
		return $this->ids($this->db->query($sql . " ORDER BY `product_id`")->rows, 'product_id');
	}

	private function optionValueIds($productId, $option, $value) {
		$query = $this->db->query("SELECT pov.`product_option_value_id` FROM `" . DB_PREFIX . "product_option_value` pov"
			. " INNER JOIN `" . DB_PREFIX . "option_description` od ON (od.`option_id` = pov.`option_id` AND od.`language_id` = '" . $this->languageId . "')"
			. " INNER JOIN `" . DB_PREFIX . "option_value_description` ovd ON (ovd.`option_value_id` = pov.`option_value_id` AND ovd.`language_id` = '" . $this->languageId . "')"
			. " WHERE pov.`product_id` = '" . (int)$productId . "' AND od.`name` IN (" . $this->namesSql($option) . ") AND ovd.`name` IN (" . $this->namesSql($value) . ")"
			. " ORDER BY pov.`product_option_value_id`");
		return $this->ids($query->rows, 'product_option_value_id');
	}

	/** OpenCart stores text HTML-escaped, so a name is matched as sent and as OpenCart would store it. */
	private function namesSql($name) {
		$escaped = htmlspecialchars($name, ENT_COMPAT, 'UTF-8');
		return "'" . $this->db->escape($name) . "', '" . $this->db->escape($escaped) . "'";
	}

	private function storedQuantity($table, $key, $id) {
		$query = $this->db->query("SELECT `quantity` FROM `" . DB_PREFIX . $table . "` WHERE `" . $key . "` = '" . (int)$id . "'");
		return (int)$query->row['quantity'];
	}

	private function ids(array $rows, $key) {
		$ids = array();
		foreach ($rows as $row) {
			$ids[] = (int)$row[$key];
		}
		return $ids;
	}
}
