DROP TABLE user_photos;
