# tcpsift - one non-recursive Makefile (after musl's).
#
#   make                  build build/tcpsift-extract and build/tcpsift-analyze
#   make demo             set up (Debian packages), then run the tools on samples/demo.pcap
#   make test             set up, build, run every test layer
#   make SANITIZE=address,undefined test    the same under ASan and UBSan
#   make bench            speed and memory against the peers (needs root once, to record)
#   make fuzz             libFuzzer targets (clang)
#   make install PREFIX=/usr/local
#   make hdr-check        every header compiles on its own

CC      ?= cc
PREFIX  ?= /usr/local
# A sanitizer build gets its own folder, so its objects never mix with
# the plain build's.
ifneq ($(SANITIZE),)
BUILD   ?= build-sanitize
else
BUILD   ?= build
endif
PKGS     = libpcap libzstd

WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Werror
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread $(WARN) \
             $(CFLAGS) -Icommon -Ianalyze -Itests/unit $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lzstd) -pthread

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

COMMON_SRC  = $(wildcard common/*.c)
EXTRACT_SRC = $(wildcard extract/*.c)
ANALYZE_SRC = $(wildcard analyze/*.c analyze/reports/*.c)
UNIT_SRC    = $(wildcard tests/unit/unit-*.c)

COMMON_OBJ  = $(COMMON_SRC:%.c=$(BUILD)/%.o)
EXTRACT_OBJ = $(EXTRACT_SRC:%.c=$(BUILD)/%.o)
ANALYZE_OBJ = $(ANALYZE_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB         = $(BUILD)/libtcpsift.a

BINS = $(BUILD)/tcpsift-extract $(BUILD)/tcpsift-analyze

all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(COMMON_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/tcpsift-extract: $(EXTRACT_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tcpsift-analyze: $(ANALYZE_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -lm

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

TOOL_BIN    = $(BUILD)/tests/sift-dump

$(BUILD)/tests/sift-dump: $(BUILD)/tests/tools/sift-dump.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit-tests: $(UNIT_BIN) $(TOOL_BIN)

# Debian packages the build and the tests need; installed when root.
deps:
	@sh tests/deps.sh build

deps-test:
	@sh tests/deps.sh test

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh

test: deps-test
	@$(MAKE) --no-print-directory all unit-tests
	@TCPSIFT_BIN=$(BUILD) bash tests/run.sh

bench:
	@sh tests/deps.sh bench
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh

FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))
fuzz: $(FUZZ_TARGETS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(COMMON_SRC)
	@mkdir -p $(@D)
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
		-fsanitize=fuzzer,address,undefined -Icommon -o $@ $< $(COMMON_SRC) $(LDLIBS)

hdr-check:
	@for h in common/*.h analyze/*.h; do \
		printf '#include "%s"\ntypedef int hdr_check_nonempty;\n' "$$(basename $$h)" | \
		$(CC) $(ALL_CFLAGS) -I$$(dirname $$h) -x c -c - -o /dev/null || exit 1; \
	done; echo "headers ok"

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	if [ -d man ]; then install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

clean:
	rm -rf $(BUILD)

.PHONY: all unit-tests deps deps-test demo test bench fuzz hdr-check install clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
