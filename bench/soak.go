package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakAt serves n tickets and runs the soak: b.conns connections, each
// sending a mix of reads and writes in turn — list, list page, ticket
// page, word search, knowledge-base search, a reply or a new ticket —
// for b.soak, so that the load is bounded by the connections. Every
// sample interval it records the requests, errors and p99 of the
// interval, the server's resident memory (/proc) and its goroutines (the
// profiler on loopback), then writes the table to report.
func (b *bench) soakAt(n int, report *bytes.Buffer) error {
	srv, err := b.serveSeeded(n)
	if err != nil {
		return err
	}
	defer srv.stop()
	// Replies go to the reader's hundred latest tickets in turn, so that
	// no ticket grows without end.
	numbers, err := visibleTickets(srv)
	if err != nil {
		return err
	}
	// The mix: what a busy portal sees, reads well ahead of writes.
	mix := []endpoint{srv.endpoints[1], srv.endpoints[2], srv.endpoints[3], srv.endpoints[1], srv.endpoints[5],
		srv.endpoints[4], srv.endpoints[0], srv.endpoints[3], srv.endpoints[6]}
	reply := endpoint{name: "reply", method: "POST", header: srv.auth, host: srv.endpoints[0].host,
		body: func(i int64) string { return fmt.Sprintf(`{"body":"Soak reply %d"}`, i) }}
	for _, n := range numbers {
		reply.paths = append(reply.paths, fmt.Sprintf("/api/v1/tickets/%d/replies", n))
	}
	mix = append(mix, reply)
	interval := max(b.soak/20, 5*time.Second)
	step(fmt.Sprintf("%d tickets: soak of %s, %d connections, a sample every %s", n, b.soak, b.conns, interval))

	var (
		seq, ok, failed atomic.Int64
		mu              sync.Mutex
		lat             []time.Duration
		failures        = map[string]int{} // what failed, and how often
		stop            = make(chan struct{})
		wg              sync.WaitGroup
	)
	tr := &http.Transport{MaxIdleConnsPerHost: b.conns, MaxConnsPerHost: b.conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for c := range b.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				e := mix[i%len(mix)]
				t0 := time.Now()
				if why := send(client, srv.base, e, seq.Add(1)); why == "" {
					d := time.Since(t0)
					ok.Add(1)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				} else {
					failed.Add(1)
					mu.Lock()
					failures[why]++
					mu.Unlock()
				}
			}
		}()
	}
	fmt.Fprintf(report, "\n%d tickets — soak of %s, %d connections, mixed reads and writes\n\n", n, b.soak, b.conns)
	fmt.Fprintln(report, "| time | req/s | errors | p99 | RSS | goroutines |")
	fmt.Fprintln(report, "| --- | --- | --- | --- | --- | --- |")
	start := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var lastOK, lastFailed int64
	for time.Since(start) < b.soak {
		<-tick.C
		mu.Lock()
		sample := lat
		lat = nil
		mu.Unlock()
		slices.Sort(sample)
		var p99 time.Duration
		if len(sample) > 0 {
			p99 = sample[len(sample)*99/100]
		}
		o, f := ok.Load(), failed.Load()
		line := fmt.Sprintf("| %s | %.0f | %d | %s | %d MB | %d |", time.Since(start).Round(time.Second),
			float64(o-lastOK)/interval.Seconds(), f-lastFailed, p99.Round(100*time.Microsecond),
			rss(srv.cmd.Process.Pid)>>20, goroutines(srv.pprof))
		lastOK, lastFailed = o, f
		fmt.Fprintln(report, line)
		step(line)
	}
	close(stop)
	wg.Wait()
	fmt.Fprintf(report, "\nPeak RSS %d MB; %d requests, %d errors.\n", peakRSS(srv.cmd.Process.Pid)>>20, ok.Load(), failed.Load())
	for why, n := range failures {
		fmt.Fprintf(report, "- %d × %s\n", n, why)
	}
	return nil
}

// visibleTickets lists the numbers of the reader's latest tickets.
func visibleTickets(srv *server) ([]int64, error) {
	req, _ := http.NewRequest("GET", srv.base+"/api/v1/tickets?scope=site&per_page=100", nil)
	req.Host = srv.endpoints[0].host
	for k, v := range srv.auth {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var list struct {
		Tickets []struct {
			Number int64 `json:"number"`
		} `json:"tickets"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || len(list.Tickets) == 0 {
		return nil, fmt.Errorf("the reader's tickets: %d, %v", res.StatusCode, err)
	}
	out := make([]int64, len(list.Tickets))
	for i, t := range list.Tickets {
		out[i] = t.Number
	}
	return out, nil
}

// send sends one request of e and answers "" when it succeeded, else
// what failed: the request and the status with the start of the answer,
// or the transport's error.
func send(client *http.Client, base string, e endpoint, i int64) string {
	var body io.Reader
	if e.body != nil {
		body = strings.NewReader(e.body(i))
	}
	req, _ := http.NewRequest(e.method, base+e.pathOf(i), body)
	req.Host = e.host
	for k, v := range e.header {
		req.Header[k] = v
	}
	if e.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Sprintf("%s %s: %v", e.method, e.name, err)
	}
	defer res.Body.Close()
	if res.StatusCode < 400 {
		io.Copy(io.Discard, res.Body)
		return ""
	}
	head, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	return fmt.Sprintf("%s %s: %d %s", e.method, e.name, res.StatusCode, bytes.TrimSpace(head))
}

// goroutines reads the server's goroutine count from its profiler
// ("goroutine profile: total N"), or -1.
func goroutines(pprofAddr string) int {
	res, err := http.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	line, _ := bufio.NewReader(res.Body).ReadString('\n')
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "goroutine profile: total")))
	if err != nil {
		return -1
	}
	return n
}
