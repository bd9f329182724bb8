-- The rows a freshly installed store has that the extension and the tests rely on: the
-- settings, the default order statuses (reference table), the country and zone of the seeded
-- addresses, the Size option with its values, and the store's default API user (no IP allowed).
INSERT INTO oc_language (language_id, name, code) VALUES (1, 'English', 'en-gb');

INSERT INTO oc_setting (store_id, code, `key`, value, serialized) VALUES
  (0, 'config', 'config_name', 'Harness Store', 0),
  (0, 'config', 'config_language', 'en-gb', 0),
  (0, 'config', 'config_maintenance', '0', 0),
  (0, 'config', 'config_api_id', '1', 0);

INSERT INTO oc_order_status (order_status_id, language_id, name) VALUES
  (1, 1, 'Pending'), (2, 1, 'Processing'), (3, 1, 'Shipped'), (5, 1, 'Complete'),
  (7, 1, 'Canceled'), (8, 1, 'Denied'), (9, 1, 'Canceled Reversal'), (10, 1, 'Failed'),
  (11, 1, 'Refunded'), (12, 1, 'Reversed'), (13, 1, 'Chargeback'), (14, 1, 'Expired'),
  (15, 1, 'Processed'), (16, 1, 'Voided');

INSERT INTO oc_country (country_id, name, iso_code_2, iso_code_3) VALUES (223, 'United States', 'US', 'USA');
INSERT INTO oc_zone (zone_id, country_id, name, code) VALUES (3624, 223, 'California', 'CA');

INSERT INTO oc_option (option_id, type, sort_order) VALUES (11, 'select', 1);
INSERT INTO oc_option_description (option_id, language_id, name) VALUES (11, 1, 'Size');
INSERT INTO oc_option_value_description (option_value_id, language_id, option_id, name) VALUES
  (46, 1, 11, 'Small'), (47, 1, 11, 'Medium'), (48, 1, 11, 'Large');

INSERT INTO oc_api (api_id, username, `key`, status, date_added, date_modified) VALUES (1, 'Default', 'default-user-key', 1, NOW(), NOW());
