package store

// PoolOpens tells, by pool role, how many real connections each pool has
// opened since the store was opened.
func PoolOpens(s *Store) map[string]int64 {
	out := map[string]int64{}
	for role, f := range s.pools {
		out[role] = f.opens.Load()
	}
	return out
}

// BoundTexts lists the texts of the bound statements the connections of
// s's pools keep prepared (SQLite), each once.
func BoundTexts(s *Store) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range s.pools {
		f.mu.Lock()
		for _, c := range f.free {
			if c == nil || c.stmts == nil {
				continue
			}
			for text := range c.stmts.byText {
				if !seen[text] {
					seen[text] = true
					out = append(out, text)
				}
			}
		}
		f.mu.Unlock()
	}
	return out
}
