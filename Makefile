# kubesift — see README.md.  `make demo` and `make check` install what is
# missing on Debian (as root) or name the exact apt-get line (otherwise).

CC	?= cc
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=

# `make check SANITIZE=address,undefined` builds in its own folder.
SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD	?= build
SANFLAGS =
else
BUILD	?= build-san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# Debian packages: to build, to test.
DEBS_BUILD = gcc make pkg-config libsqlite3-dev libjansson-dev \
	     libarchive-dev nettle-dev libyaml-dev zlib1g-dev libbz2-dev \
	     liblzma-dev libzstd-dev uthash-dev
DEBS_TEST  = libcmocka-dev sqlite3 libarchive-tools zstd xz-utils bzip2 \
	     zip gzip chromium jq clickhouse-server clickhouse-client
PKGS	= sqlite3 jansson nettle yaml-0.1 zlib

# Expanded lazily, so that `deps` has run before pkg-config is asked.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) libarchive 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libarchive is linked statically: the shared one loads libxml2, ICU and
# libstdc++ (for formats kubesift never reads), which made every query
# command start 10 to 15 ms slower.  What the formats and filters we read
# need stays shared: nettle (zip encryption), zlib, bzip2, xz, zstd.
ARCHIVE_LIBS = -Wl,-Bstatic -larchive -Wl,-Bdynamic -lnettle -lz -lbz2 \
	       -llzma -lzstd

WARN	= -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wno-unused-parameter
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
	     -Isrc -I$(BUILD) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS	= -Wl,--as-needed $(PKG_LIBS) $(ARCHIVE_LIBS) -lpthread -lm

# src/ holds one folder per layer, lowest first (STYLE.md; tests/cli/
# test-layers.sh checks that no file includes a higher layer).  Includes
# name the layer: #include "store/db.h", with -Isrc only.
LAYERS	= util input formats store rbac out cli
SRCS	= $(sort $(wildcard $(LAYERS:%=src/%/*.c)))
LIBSRCS	= $(filter-out src/cli/main.c,$(SRCS))
OBJS	= $(LIBSRCS:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/sql-assets.o
OBJDIRS	= $(BUILD)/obj $(LAYERS:%=$(BUILD)/obj/%)
SQLS	= $(sort $(wildcard sql/*.sql))
UNITS	= $(sort $(wildcard tests/unit/test-*.c))
UNITBINS = $(UNITS:tests/unit/%.c=$(BUILD)/%)

.PHONY: all deps deps-test check test demo install uninstall clean bench fuzz \
	lint

all: $(BUILD)/kubesift

$(BUILD)/obj/%.o: src/%.c | $(OBJDIRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/sql-assets.o: $(BUILD)/sql-assets.c | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The schema and views are compiled in, the way jq embeds builtin.jq.
$(BUILD)/sql-assets.c: $(SQLS) mk/embed-sql.sh | $(BUILD)/obj
	sh mk/embed-sql.sh $(SQLS) > $@.tmp && mv $@.tmp $@

$(BUILD)/libkubesift.a: $(OBJS)
	rm -f $@
	ar rcs $@ $(OBJS)

$(BUILD)/kubesift: $(BUILD)/obj/cli/main.o $(BUILD)/libkubesift.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/obj/cli/main.o $(BUILD)/libkubesift.a $(LIBS)

$(BUILD)/test-%: tests/unit/test-%.c $(BUILD)/libkubesift.a
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka 2>/dev/null) \
	    -o $@ $< $(BUILD)/libkubesift.a $(ALL_LDFLAGS) $(LIBS) \
	    $(shell pkg-config --libs cmocka 2>/dev/null)

$(OBJDIRS):
	mkdir -p $@

# Install what is missing (as root), or say exactly what to run.
deps:
	@sh mk/deps.sh $(DEBS_BUILD)
deps-test:
	@sh mk/deps.sh $(DEBS_BUILD) $(DEBS_TEST)

# `make check` runs the suite twice: as built, then built with ASan and
# UBSan in build-san/ (so CI runs both).  `make test` runs it once.
check: deps-test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test
ifeq ($(SANITIZE),)
	$(MAKE) --no-print-directory test SANITIZE=address,undefined
endif

# The shape of src/: layers, sizes, repeats (tests/lint/run.sh; src/README
# holds the layer table it reads).
lint:
	@sh tests/lint/run.sh src

test: $(BUILD)/kubesift $(BUILD)/gen-audit $(UNITBINS)
	@sh tests/run.sh $(BUILD)

demo: deps
	$(MAKE) --no-print-directory all $(BUILD)/gen-audit
	@sh tests/demo.sh $(BUILD)

install: $(BUILD)/kubesift
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BUILD)/kubesift $(DESTDIR)$(BINDIR)/kubesift
	install -m 644 man/kubesift.1 $(DESTDIR)$(MANDIR)/man1/kubesift.1
	install -m 644 man/kubesift-schema.7 $(DESTDIR)$(MANDIR)/man7/kubesift-schema.7

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kubesift $(DESTDIR)$(MANDIR)/man1/kubesift.1 \
	    $(DESTDIR)$(MANDIR)/man7/kubesift-schema.7

# The generator of realistic audit logs (tests/bench), for bench and tests.
$(BUILD)/gen-audit: $(wildcard tests/bench/gen-*.c tests/bench/gen-*.h) | $(BUILD)/obj
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -o $@ $(filter %.c,$^)

# A command's CPU time, peak memory and first line, for bench.
$(BUILD)/bench-time: tests/bench/bench-time.c | $(BUILD)/obj
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -o $@ $<

# Figures against references measured in the same run; see tests/bench
# (BENCH_EVENTS=1000000 for issue 14's sizes; the top of bench.sh lists
# the other variables).
bench: deps-test
	$(MAKE) --no-print-directory $(BUILD)/kubesift $(BUILD)/gen-audit \
	    $(BUILD)/bench-time
	sh tests/bench/bench.sh $(BUILD)

clean:
	rm -rf build build-san build-fuzz

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d $(BUILD)/*.d)

# --- Fuzzing, regression replay, valgrind (issue 7; see README "Guarantees")
# `make fuzz` builds the libFuzzer targets tests/fuzz/fuzz-*.c with clang
# into build-fuzz/ and runs each, one at a time, for FUZZ_SECONDS, seeded
# from fixtures/ and ../shared/realdata.  Longer: make fuzz FUZZ_SECONDS=3600
# FUZZ_TARGETS=import.  `make check` replays tests/fuzz/regress/ through the
# same targets built without libFuzzer ($(BUILD)/fuzz-replay-*).
# `make valgrind` imports fixtures/ and ../shared/realdata under valgrind.
FUZZ_CC		?= $(shell command -v clang-14 || command -v clang || echo clang)
FUZZ_SECONDS	?= 60
FUZZ_TARGETS	?= jscan sniff time denial rbac import
FUZZ_ALL	= jscan sniff time denial rbac import
FUZZ_CFLAGS	= -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
		  -fsanitize=address,undefined -fno-sanitize-recover=all \
		  -Isrc -Ibuild-fuzz -Itests/fuzz $(PKG_CFLAGS) -MMD -MP
FUZZ_OBJS	= $(LIBSRCS:src/%.c=build-fuzz/obj/%.o) \
		  build-fuzz/obj/sql-assets.o build-fuzz/obj/fuzz-util.o
FUZZ_OBJDIRS	= build-fuzz/obj $(LAYERS:%=build-fuzz/obj/%)
REPLAY_BINS	= $(FUZZ_ALL:%=$(BUILD)/fuzz-replay-%)

.PHONY: valgrind

fuzz: deps-test
	@command -v $(FUZZ_CC) > /dev/null || { echo "make fuzz needs clang" \
	    "and libFuzzer: apt-get install clang libclang-rt-14-dev"; exit 1; }
	$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=build-fuzz/fuzz-%)
	sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_OBJDIRS):
	mkdir -p $@

build-fuzz/sql-assets.c: $(SQLS) mk/embed-sql.sh | build-fuzz/obj
	sh mk/embed-sql.sh $(SQLS) > $@.tmp && mv $@.tmp $@

build-fuzz/obj/sql-assets.o: build-fuzz/sql-assets.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/obj/fuzz-util.o: tests/fuzz/util.c | build-fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/obj/%.o: src/%.c | $(FUZZ_OBJDIRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/libkubesift-fuzz.a: $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $(FUZZ_OBJS)

build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c build-fuzz/libkubesift-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    build-fuzz/libkubesift-fuzz.a $(LIBS)

# The regression replay, in the build being tested (sanitizers included).
$(BUILD)/fuzz-replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c \
    tests/fuzz/util.c $(BUILD)/libkubesift.a
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Itests/fuzz -o $@ $< \
	    tests/fuzz/replay.c tests/fuzz/util.c $(BUILD)/libkubesift.a \
	    $(ALL_LDFLAGS) $(LIBS)

test: $(REPLAY_BINS)

valgrind: deps-test
	@command -v valgrind > /dev/null || { echo "make valgrind needs" \
	    "valgrind: apt-get install valgrind"; exit 1; }
	$(MAKE) --no-print-directory $(BUILD)/kubesift
	sh tests/fuzz/valgrind.sh $(BUILD)

-include $(wildcard build-fuzz/obj/*.d build-fuzz/obj/*/*.d build-fuzz/*.d)
