-- Rendered HTML never holds bidi controls or control characters (api/core/markdown.py drops
-- them since issue 15: they let text read other than it is). HTML rendered before then is
-- stored with them: dropped here the same way. The text as written (`body`, `description`) is
-- left as it is.
DO $$
DECLARE
    -- bidi embeddings, overrides, isolates and marks; C0 controls but tab and newlines, DEL, C1
    spoofing CONSTANT text :=
        '[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]';
BEGIN
    UPDATE posts SET body_html = regexp_replace(body_html, spoofing, '', 'g')
    WHERE body_html ~ spoofing;
    UPDATE comments SET body_html = regexp_replace(body_html, spoofing, '', 'g')
    WHERE body_html ~ spoofing;
    UPDATE communities SET description_html = regexp_replace(description_html, spoofing, '', 'g')
    WHERE description_html ~ spoofing;
END
$$;
