-- A word search's total is counted up to the cap (TicketCountCap), and
-- GIN answers a word whole much faster than as the start of words: for
-- 's9.printer':* it gathers the lists of every word with that start
-- into a bitmap and checks each ticket it reads again, for 's9.printer'
-- it reads one list — at a million tickets, counting the 1,001 first
-- of a site's 10,000 matches took 4.7 ms against 2.4 (docs/benchmarks.md,
-- "The word search's total on PostgreSQL"). The whole words match a part
-- of what their starts match, so when they alone pass the cap, the
-- starts do too: store/ticket_search.go counts the whole words first, and
-- the starts only below the cap. ticket_search_query (0230) gains the
-- choice.
CREATE OR REPLACE FUNCTION ticket_search_query(words TEXT, prefixes TEXT[], starts BOOLEAN) RETURNS tsquery LANGUAGE sql STABLE AS $$
    SELECT COALESCE(string_agg('(' || q.every || ')', ' | '), '''#none''')::tsquery
    FROM (SELECT (SELECT string_agg('''' || replace(replace(p || w, '\', '\\'), '''', '''''') || '''' || CASE WHEN starts THEN ':*' ELSE '' END, ' & ')
                  FROM unnest(tsvector_to_array(to_tsvector('ticket_words', words))) AS w) AS every
          FROM unnest(prefixes) AS p) AS q
    WHERE q.every IS NOT NULL;
$$;

DROP FUNCTION ticket_search_query(TEXT, TEXT[]);
