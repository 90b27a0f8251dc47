DROP TABLE attribute_values;
DROP TABLE attributes;
