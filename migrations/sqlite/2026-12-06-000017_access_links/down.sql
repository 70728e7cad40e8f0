DROP TABLE access_links;
DROP TABLE access_link_sets;
