package main

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// runHealth is `portal health`: it asks the server of PORTAL_ADDR whether
// it is ready (/readyz) and exits 0 when it is, 1 otherwise. Container
// health checks use it (the image has no shell or curl).
func runHealth(e *env, args []string) error {
	cfg, err := e.parseConfig("health", args, nil)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get("http://" + net.JoinHostPort(host, port) + "/readyz")
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s", res.Status)
	}
	fmt.Fprintln(e.stdout, "ready")
	return nil
}
