-- The OpenCart tables the cartsync extension (and the harness in front of it) reads and writes,
-- written from the documented facts in shared/reference/opencart.md, in the OpenCart 3.0 layout.
-- Only the columns in use are here. A database is this file, then data.sql, then the deltas of
-- its version (2.x.sql; 4.x.sql; 4.x.sql and 4.1.sql). Columns are NOT NULL as in OpenCart, whose
-- connection is not in strict mode, so an INSERT may leave columns out.

CREATE TABLE oc_order (
  order_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  invoice_prefix VARCHAR(26) NOT NULL,
  store_id INT NOT NULL,
  store_name VARCHAR(64) NOT NULL,
  language_id INT NOT NULL,
  customer_id INT NOT NULL,
  firstname VARCHAR(32) NOT NULL,
  lastname VARCHAR(32) NOT NULL,
  email VARCHAR(96) NOT NULL,
  telephone VARCHAR(32) NOT NULL,
  payment_firstname VARCHAR(32) NOT NULL,
  payment_lastname VARCHAR(32) NOT NULL,
  payment_company VARCHAR(60) NOT NULL,
  payment_address_1 VARCHAR(128) NOT NULL,
  payment_address_2 VARCHAR(128) NOT NULL,
  payment_city VARCHAR(128) NOT NULL,
  payment_postcode VARCHAR(10) NOT NULL,
  payment_country VARCHAR(128) NOT NULL,
  payment_country_id INT NOT NULL,
  payment_zone VARCHAR(128) NOT NULL,
  payment_zone_id INT NOT NULL,
  payment_method VARCHAR(128) NOT NULL,  -- the method's title; its code is payment_code
  payment_code VARCHAR(128) NOT NULL,
  shipping_firstname VARCHAR(32) NOT NULL,
  shipping_lastname VARCHAR(32) NOT NULL,
  shipping_company VARCHAR(60) NOT NULL,
  shipping_address_1 VARCHAR(128) NOT NULL,
  shipping_address_2 VARCHAR(128) NOT NULL,
  shipping_city VARCHAR(128) NOT NULL,
  shipping_postcode VARCHAR(10) NOT NULL,
  shipping_country VARCHAR(128) NOT NULL,
  shipping_country_id INT NOT NULL,
  shipping_zone VARCHAR(128) NOT NULL,
  shipping_zone_id INT NOT NULL,
  shipping_method VARCHAR(128) NOT NULL,
  shipping_code VARCHAR(128) NOT NULL,
  comment TEXT NOT NULL,
  total DECIMAL(15,4) NOT NULL,  -- the store's default currency, 4 decimals
  order_status_id INT NOT NULL,  -- 0: an abandoned checkout ("missing order")
  currency_code VARCHAR(3) NOT NULL,
  currency_value DECIMAL(15,8) NOT NULL,
  date_added DATETIME NOT NULL,
  date_modified DATETIME NOT NULL
);

CREATE TABLE oc_order_product (
  order_product_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT NOT NULL,
  product_id INT NOT NULL,  -- the product may have been deleted since
  name VARCHAR(255) NOT NULL,
  model VARCHAR(64) NOT NULL,  -- order lines keep no SKU
  quantity INT NOT NULL,
  price DECIMAL(15,4) NOT NULL,  -- without tax, option price changes included
  total DECIMAL(15,4) NOT NULL,
  tax DECIMAL(15,4) NOT NULL,  -- per unit
  reward INT NOT NULL,
  KEY (order_id)
);

CREATE TABLE oc_order_option (
  order_option_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT NOT NULL,
  order_product_id INT NOT NULL,
  product_option_id INT NOT NULL,
  product_option_value_id INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  value TEXT NOT NULL,
  type VARCHAR(32) NOT NULL,
  KEY (order_id)
);

CREATE TABLE oc_order_total (
  order_total_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT NOT NULL,
  code VARCHAR(32) NOT NULL,
  title VARCHAR(255) NOT NULL,
  value DECIMAL(15,4) NOT NULL,
  sort_order INT NOT NULL,
  KEY (order_id)
);

CREATE TABLE oc_order_history (
  order_history_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT NOT NULL,
  order_status_id INT NOT NULL,
  notify TINYINT(1) NOT NULL,
  comment TEXT NOT NULL,
  date_added DATETIME NOT NULL,
  KEY (order_id)
);

CREATE TABLE oc_order_status (
  order_status_id INT NOT NULL,
  language_id INT NOT NULL,  -- one row per language
  name VARCHAR(32) NOT NULL,
  PRIMARY KEY (order_status_id, language_id)
);

CREATE TABLE oc_country (
  country_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(128) NOT NULL,
  iso_code_2 VARCHAR(2) NOT NULL,
  iso_code_3 VARCHAR(3) NOT NULL
);

CREATE TABLE oc_zone (
  zone_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  country_id INT NOT NULL,
  name VARCHAR(128) NOT NULL,
  code VARCHAR(32) NOT NULL
);

CREATE TABLE oc_product (
  product_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  model VARCHAR(64) NOT NULL,
  sku VARCHAR(64) NOT NULL,  -- optional, may differ from model
  quantity INT NOT NULL,  -- signed: stock can go negative
  subtract TINYINT(1) NOT NULL DEFAULT 1,  -- stock changes only where 1
  status TINYINT(1) NOT NULL,
  date_added DATETIME NOT NULL,
  date_modified DATETIME NOT NULL
);

CREATE TABLE oc_product_description (
  product_id INT NOT NULL,
  language_id INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  PRIMARY KEY (product_id, language_id)
);

CREATE TABLE oc_product_option (
  product_option_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id INT NOT NULL,
  option_id INT NOT NULL,
  value TEXT NOT NULL,
  required TINYINT(1) NOT NULL
);

CREATE TABLE oc_product_option_value (
  product_option_value_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_option_id INT NOT NULL,
  product_id INT NOT NULL,
  option_id INT NOT NULL,
  option_value_id INT NOT NULL,
  quantity INT NOT NULL,  -- kept apart from oc_product.quantity
  subtract TINYINT(1) NOT NULL,
  KEY (product_id)
);

CREATE TABLE oc_option (
  option_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  type VARCHAR(32) NOT NULL,
  sort_order INT NOT NULL
);

CREATE TABLE oc_option_description (
  option_id INT NOT NULL,
  language_id INT NOT NULL,
  name VARCHAR(128) NOT NULL,
  PRIMARY KEY (option_id, language_id)
);

CREATE TABLE oc_option_value_description (
  option_value_id INT NOT NULL,
  language_id INT NOT NULL,
  option_id INT NOT NULL,
  name VARCHAR(128) NOT NULL,
  PRIMARY KEY (option_value_id, language_id)
);

CREATE TABLE oc_api (
  api_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  `key` TEXT NOT NULL,
  status TINYINT(1) NOT NULL,
  date_added DATETIME NOT NULL,
  date_modified DATETIME NOT NULL
);

CREATE TABLE oc_api_ip (
  api_ip_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  api_id INT NOT NULL,
  ip VARCHAR(40) NOT NULL
);

-- One row per API login; a row idle for more than an hour is deleted. The token is session_id.
CREATE TABLE oc_api_session (
  api_session_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  api_id INT NOT NULL,
  session_id VARCHAR(32) NOT NULL,
  ip VARCHAR(40) NOT NULL,
  date_added DATETIME NOT NULL,
  date_modified DATETIME NOT NULL
);

CREATE TABLE oc_setting (
  setting_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  store_id INT NOT NULL,
  code VARCHAR(128) NOT NULL,
  `key` VARCHAR(128) NOT NULL,
  value TEXT NOT NULL,
  serialized TINYINT(1) NOT NULL
);

CREATE TABLE oc_language (
  language_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(32) NOT NULL,
  code VARCHAR(5) NOT NULL
);
