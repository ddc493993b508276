// Command portal runs the service portal platform: it serves every tenant's
// portal, migrates the database, creates tenants and loads demo data.
//
//	portal demo | serve | migrate | tenant create …
//
// Configuration comes from PORTAL_* variables, each overridable by a flag;
// `portal help` lists them.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// env is what a command runs with; tests pass their own.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

type command struct {
	name  string
	usage string
	run   func(e *env, args []string) error
}

var commands = []command{
	{"demo", "migrate, load the demo data, serve, and print the URLs and logins", runDemo},
	{"serve", "migrate and serve", runServe},
	{"migrate", "apply pending migrations and exit", runMigrate},
	{"tenant", "tenant create --slug S --name N --admin-email E --admin-password P [--domain D]… | list | disable --slug S | enable --slug S", runTenant},
	{"token", "token create --tenant S --email E: print an admin API token for that staff member", runToken},
	{"seed", "seed --tenant S --sites N --contacts N --tickets N --articles N: bulk data for benchmarks, with progress", runSeed},
	{"mail", "mail ingest --tenant S < message.eml: take one inbound message (for an MTA pipe)", runMail},
	{"contacts", "contacts import --tenant S --file contacts.csv [--send-welcome]: create or update contacts from CSV, with progress and a report", runContacts},
	{"reindex", "rebuild the knowledge base's search index from the database, with progress; safe while serving", runReindex},
	{"blobs", "blobs migrate --to URL: copy every attachment to another store (file:DIR or s3://…), with progress", runBlobs},
	{"backup", "backup --to FILE: a consistent copy of the SQLite database and the data dir (.tar.gz), taken while serving", runBackup},
	{"restore", "restore --from FILE: unpack a backup into an empty data dir", runRestore},
	{"health", "ask the server at PORTAL_ADDR whether it is ready (exit 0) or not (1), for health checks", runHealth},
}

// usageError is a mistake in the command line or configuration: exit 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// run executes one command and returns the process exit code: 0 done,
// 1 failed, 2 bad usage or configuration.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, getenv, os.Stdin, stdout, stderr)
}

// runWithInput is run with standard input given (`portal mail ingest`
// reads a message from it).
func runWithInput(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr,
		log: newLogger(stderr, "text")}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(e, args[1:])
			switch err.(type) {
			case nil:
				return 0
			case usageError:
				fmt.Fprintf(stderr, "portal %s: %v\n", c.name, err)
				return 2
			}
			if err == flag.ErrHelp {
				return 0
			}
			fmt.Fprintf(stderr, "portal %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "portal: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: portal COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nConfiguration (environment variable, or the flag of the same name):")
	for _, s := range settings {
		def := s.def
		switch {
		case s.shown != "":
			def = s.shown
		case def == "":
			def = "(generated)"
		}
		fmt.Fprintf(w, "  %-20s -%-13s %s; default %s\n", s.env, s.flag, s.usage, def)
	}
}

// parseConfig reads flags and environment for a command and validates
// the result; extra lets a command add its own flags.
func (e *env) parseConfig(name string, args []string, extra func(fs *flag.FlagSet)) (*Config, error) {
	fs := newFlagSet()
	fs.Init("portal "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg := bindConfig(fs, e.getenv)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{"invalid configuration:\n" + err.Error()}
	}
	e.log = newLogger(e.stderr, cfg.LogFormat)
	return cfg, nil
}

// newLogger writes structured logs to w: key=value lines, or JSON objects
// for log collectors (PORTAL_LOG_FORMAT=json).
func newLogger(w io.Writer, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("portal", flag.ContinueOnError) }
