<?php
/** What differs in the database between OpenCart versions, decided from the VERSION constant. */
class CartsyncSchema {
	/** 4.1 keeps the SKU in oc_product_code (code 'SKU') instead of oc_product.sku. */
	public $skuInProductCode;
	/** 4.1 does not bump oc_order.date_modified on a status change; the newest history date is used. */
	public $modifiedFromHistory;
	/** 4.x stores shipping_method / payment_method as JSON and has no *_code columns. */
	public $jsonMethods;
	/** oc_api names its user column `name` on 2.x and `username` from 3.0. */
	public $apiUserColumn;

	public function __construct($version) {
		$this->skuInProductCode = version_compare($version, '4.1.0.0', '>=');
		$this->modifiedFromHistory = $this->skuInProductCode;
		$this->jsonMethods = version_compare($version, '4.0.0.0', '>=');
		$this->apiUserColumn = version_compare($version, '3.0.0.0', '>=') ? 'username' : 'name';
	}

	/** SQL for a product's SKU given the product table alias; NULL when the product does not exist. */
	public function skuSql($productAlias) {
		if ($this->skuInProductCode) {
			return "IF(" . $productAlias . ".`product_id` IS NULL, NULL, COALESCE((SELECT pc.`value` FROM `" . DB_PREFIX . "product_code` pc WHERE pc.`product_id` = " . $productAlias . ".`product_id` AND pc.`code` = 'SKU' ORDER BY pc.`product_code_id` LIMIT 1), ''))";
		}
		return $productAlias . ".`sku`";
	}
}

/** The operations of the extension contract, shared by every OpenCart version's controller. */
class CartsyncService {
	const EXTENSION_VERSION = '1.1.0';
	const OPERATIONS = 'version,statuses,orders,products,stock';

	private $db;
	private $schema;
	private $languageId;
	private $context;

	/**
	 * @param object $db OpenCart's database object (query, escape)
	 * @param array $context opencart_version, variant, language_id, maintenance
	 */
	public function __construct($db, array $context) {
		$this->db = $db;
		$this->context = $context;
		$this->schema = new CartsyncSchema($context['opencart_version']);
		$this->languageId = (int)$context['language_id'];
	}

	public static function isOperation($op) {
		return is_string($op) && in_array($op, explode(',', self::OPERATIONS), true);
	}

	/** Runs one operation for an authenticated API user; returns the reply body. */
	public function run($op, $apiId, array $get, $body) {
		$params = new CartsyncParams($get);
		$catalog = new CartsyncCatalog($this->db, $this->schema, $this->languageId);
		switch ($op) {
			case 'version':
				return $this->version($apiId);
			case 'statuses':
				return $catalog->statuses($params->id('language_id', $this->languageId));
			case 'orders':
				$orders = new CartsyncOrders($this->db, $this->schema, $this->languageId);
				return $orders->page($params);
			case 'products':
				return $catalog->products($params);
			case 'stock':
				return $catalog->setStock($body);
		}
		throw CartsyncError::notFound($op);
	}

	private function version($apiId) {
		$column = $this->schema->apiUserColumn;
		$query = $this->db->query("SELECT `" . $column . "` AS user FROM `" . DB_PREFIX . "api` WHERE `api_id` = '" . (int)$apiId . "'");
		return array(
			'extension_version' => self::EXTENSION_VERSION,
			'opencart_version' => (string)$this->context['opencart_version'],
			'maintenance' => (bool)$this->context['maintenance'],
			'variant' => (string)$this->context['variant'],
			'api_user' => $query->num_rows ? (string)$query->row['user'] : '',
		);
	}
}
