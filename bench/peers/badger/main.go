// Command badger-bench drives Badger (Debian's golang-github-dgraph-io-badger-dev) with the
// workload of bench/peers/run.sh and prints one Markdown row per case:
//
//	| engine | op | value | fsync | threads | keys | ops/s |
//
// For each fsync mode it opens a fresh store under --dir, loads --keys keys, then measures get
// and set with 1 and 4 goroutines: one warm-up interval, then three measured intervals, of which
// it prints the median. Every write is its own db.Update transaction, every read a db.View.
// run.sh builds it offline from Debian's Go sources (see build_badger there) and runs it as
//
//	badger-bench --dir DIR [--keys N] [--warmup-ms MS] [--interval-ms MS]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v2"
)

// badgerVersion is the Debian package's version, set at build time by run.sh (-ldflags -X).
var badgerVersion = "unknown"

const valueSize = 100

// counter is one worker's operation count, padded to a cache line so that workers do not share one.
type counter struct {
	n atomic.Int64
	_ [56]byte
}

func main() {
	dir := flag.String("dir", "", "an empty directory for the stores (required)")
	keyCount := flag.Int("keys", 1000, "keys loaded and used")
	warmupMs := flag.Int("warmup-ms", 1000, "warm-up before the measured intervals")
	intervalMs := flag.Int("interval-ms", 1000, "length of each of the three measured intervals")
	flag.Parse()
	if *dir == "" || *keyCount < 1 {
		flag.Usage()
		os.Exit(2)
	}
	log.SetFlags(0)
	log.SetPrefix("badger-bench: ")

	keys := make([][]byte, *keyCount)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key%07d", i))
	}
	value := bytes.Repeat([]byte("v"), valueSize)
	fmt.Printf("# badger %s (Debian golang-github-dgraph-io-badger-dev), %s, GOMAXPROCS=%d, one db.Update per set, db.View per get\n",
		badgerVersion, runtime.Version(), runtime.GOMAXPROCS(0))

	warmup := time.Duration(*warmupMs) * time.Millisecond
	interval := time.Duration(*intervalMs) * time.Millisecond
	for _, fsync := range []string{"always", "everysec"} {
		runFsync(filepath.Join(*dir, "badger-"+fsync), fsync, keys, value, warmup, interval)
	}
}

// runFsync opens a fresh store with the durability of fsync, loads every key and measures each case.
func runFsync(dir, fsync string, keys [][]byte, value []byte, warmup, interval time.Duration) {
	// Badger's default is SyncWrites=true (its value log opened O_DSYNC), so "everysec" turns it
	// off and syncs from a ticker instead. With "always", Badger's one writer goroutine commits
	// the writes that wait for it together, so 4 goroutines share each synced write.
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(fsync == "always").
		WithLoggingLevel(badger.WARNING)
	db, err := badger.Open(opts)
	if err != nil {
		log.Fatalf("open %s: %v", dir, err)
	}
	defer db.Close()

	fmt.Fprintf(os.Stderr, "badger: loading %d keys (fsync %s)\n", len(keys), fsync)
	load := db.NewWriteBatch() // loading is not measured, so it may batch
	for _, k := range keys {
		if err := load.Set(k, value); err != nil {
			log.Fatalf("load: %v", err)
		}
	}
	if err := load.Flush(); err != nil {
		log.Fatalf("load: %v", err)
	}

	if fsync == "everysec" {
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			ticker := time.NewTicker(time.Second)
			defer ticker.Stop()
			for {
				select {
				case <-ticker.C:
					if err := db.Sync(); err != nil {
						log.Fatalf("sync: %v", err)
					}
				case <-stop:
					return
				}
			}
		}()
		// Runs before db.Close (deferred earlier), so no Sync races the close.
		defer func() { close(stop); <-stopped }()
	}

	set := func(key []byte) error {
		return db.Update(func(txn *badger.Txn) error { return txn.Set(key, value) })
	}
	get := func(key []byte) error {
		return db.View(func(txn *badger.Txn) error {
			item, err := txn.Get(key) // a missing key is ErrKeyNotFound, which fails the run
			if err != nil {
				return err
			}
			return item.Value(func(v []byte) error {
				if !bytes.Equal(v, value) {
					return fmt.Errorf("key %s: wrong value of %d bytes", key, len(v))
				}
				return nil
			})
		})
	}
	for _, c := range []struct {
		op string
		do func([]byte) error
	}{{"get", get}, {"set", set}} {
		for _, threads := range []int{1, 4} {
			rate := measure(c.op, c.do, keys, threads, warmup, interval)
			fmt.Printf("| badger | %s | %d B | %s | %d | %d | %s |\n",
				c.op, valueSize, fsync, threads, len(keys), thousands(rate))
		}
	}
}

// measure runs op on random keys in threads goroutines and returns the median ops/s of three intervals.
func measure(name string, op func([]byte) error, keys [][]byte, threads int, warmup, interval time.Duration) float64 {
	var stop atomic.Bool
	var wg sync.WaitGroup
	counts := make([]counter, threads)
	for i := range counts {
		wg.Add(1)
		go func(n *atomic.Int64, seed int64) {
			defer wg.Done()
			random := rand.New(rand.NewSource(seed))
			for !stop.Load() {
				key := keys[random.Intn(len(keys))]
				if err := op(key); err != nil {
					log.Fatalf("%s %s: %v", name, key, err)
				}
				n.Add(1)
			}
		}(&counts[i].n, time.Now().UnixNano()+int64(i))
	}
	total := func() int64 {
		var sum int64
		for i := range counts {
			sum += counts[i].n.Load()
		}
		return sum
	}

	time.Sleep(warmup)
	rates := make([]float64, 3)
	for i := range rates {
		start, done := time.Now(), total()
		time.Sleep(interval)
		rates[i] = float64(total()-done) / time.Since(start).Seconds()
	}
	stop.Store(true)
	wg.Wait()
	sort.Float64s(rates)
	return rates[1]
}

// thousands formats a rate as a whole number with comma separators, like the kvs tables: 12,345.
func thousands(rate float64) string {
	s := fmt.Sprintf("%.0f", rate)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
