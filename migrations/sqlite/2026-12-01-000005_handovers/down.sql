DROP TABLE form_submissions;
DROP TABLE secret_handovers;
