-- Knowledge-base articles get attachments too, in the same table (one id
-- space behind GET /attachments/{id}): a file belongs to exactly one
-- ticket or one article.
ALTER TABLE attachments ALTER COLUMN ticket_id DROP NOT NULL;
ALTER TABLE attachments ADD COLUMN article_id BIGINT REFERENCES kb_articles (id) ON DELETE CASCADE;
ALTER TABLE attachments ADD CONSTRAINT attachments_one_owner CHECK ((ticket_id IS NULL) <> (article_id IS NULL));
CREATE INDEX attachments_article ON attachments (article_id);
