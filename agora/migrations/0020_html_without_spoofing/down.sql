-- Nothing to undo: the characters dropped carried no content a reader could see (only how the
-- text around them was ordered), and HTML rendered from here on never holds them either.
SELECT 1;
