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
