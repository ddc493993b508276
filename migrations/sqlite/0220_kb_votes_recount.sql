-- Articles are read with their votes from these counters, which every
-- vote keeps (store/kb.go, recountVotes); lists no longer count kb_votes.
-- Counted again once from the votes: before a contact's deletion
-- recounted them, it left its votes counted.
UPDATE kb_articles SET
    votes_helpful = (SELECT COUNT(*) FROM kb_votes AS v WHERE v.article_id = kb_articles.id AND v.helpful),
    votes_not_helpful = (SELECT COUNT(*) FROM kb_votes AS v WHERE v.article_id = kb_articles.id AND NOT v.helpful);
