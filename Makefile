# mend - Makefile
#
#   make                    build ./mend
#   make DEVELOPER=1        strict warnings, warnings are errors
#   make SANITIZE=address,undefined
#   make check              install test dependencies (Debian, as root), build,
#                           run unit tests (plain and ASan+UBSan), end-to-end
#                           tests on the local lab and the fleet
#   make demo               install, build, run the fixes on the local lab
#   make unit | e2e | fleet | bench | lint | valgrind | install | clean
#   make torture            the fault-injection matrix on a 10-host lab
#   make asan               mend + unit tests built with ASan+UBSan in
#                           build/asan/: all unit tests, hostile inputs,
#                           secrets, e2e subset ASAN_E2E (asan-unit, asan-e2e:
#                           the parts make check runs)
#   make fleet              the NUT/RabbitMQ cases on systemd hosts of bullseye,
#                           bookworm and trixie (tests/e2e/fleet/run)
#   make compat             how many real public playbooks (tests/compat/) pass
#                           'mend check'
#   make tmpldiff           templates: mend vs ansible-core, byte for byte
#
# Sources are picked up by wildcard, one folder per subsystem (README,
# "Layout"): runner/cli/ (the command-line front end; main.c holds main()),
# runner/{core,inventory,template,transport,util}/ (the engine),
# modules/ (registry.c, module.h) and modules/*/ (the built-in modules and
# their product knowledge), tests/unit/test_*.c (one cmocka binary each).
# Every #include names its header from the top of the tree (-I.).

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DESTDIR ?=
CC      ?= cc
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0

PKGS    := libssh yaml-0.1 openssl libpcre2-8 libcrypt
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -D_GNU_SOURCE -pthread -I. \
           -DMEND_VERSION='"$(VERSION)"' \
           $(shell $(PKG_CONFIG) --cflags $(PKGS))
LDLIBS  += $(shell $(PKG_CONFIG) --libs $(PKGS)) -pthread

ifeq ($(DEVELOPER),1)
CFLAGS  += -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
           -Wwrite-strings -Wvla -fno-common -Wno-error=deprecated-declarations
endif
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# B: a build directory prefix ("build/asan/"): objects, libmend.a, mend
# and the unit binaries go under it (make asan); empty = in the tree.
B          ?=
MAIN_SRC   := runner/cli/main.c
ENGINE_SRC := $(filter-out $(MAIN_SRC),$(wildcard runner/*/*.c)) \
              $(wildcard modules/*.c) $(wildcard modules/*/*.c)
ENGINE_OBJ := $(addprefix $(B),$(ENGINE_SRC:.c=.o))
MAIN_OBJ   := $(B)$(MAIN_SRC:.c=.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(addprefix $(B),$(UNIT_SRC:.c=))
DEPS       := $(ENGINE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BIN:=.d)

all: $(B)mend

$(B)mend: $(MAIN_OBJ) $(B)libmend.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(B)libmend.a $(LDLIBS)

$(B)libmend.a: $(ENGINE_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $(ENGINE_OBJ)

ifneq ($(V),1)
Q := @
endif

$(B)%.o: %.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(if $(B),mkdir -p $(@D) && )$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)tests/unit/test_%: tests/unit/test_%.c $(B)libmend.a
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(if $(B),mkdir -p $(@D) && )$(CC) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -MMD -MP -o $@ $< \
	    $(B)libmend.a $(LDFLAGS) $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

tests/template/render: tests/template/render.c libmend.a
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -o $@ $< libmend.a $(LDFLAGS) $(LDLIBS)

-include $(DEPS)

unit: $(UNIT_BIN)
	@tests/run-unit $(UNIT_BIN)

e2e: mend
	@tests/e2e/run

# The systemd hosts' root file systems (tests/lab/fleet-root, minutes on a
# fresh machine, cached after) are built in the background while mend is
# built and the unit and namespace tests run; tests/e2e/fleet/run waits
# for them.
check:
	tests/install-deps
	tests/lab/fleet-root --background bullseye bookworm trixie
	$(MAKE) DEVELOPER=1 mend $(UNIT_BIN)
	tests/lint
	tests/run-unit $(UNIT_BIN)
	$(MAKE) asan-unit
	tests/hostile/run
	$(MAKE) DEVELOPER=1 tests/template/render
	tests/template/diff
	tests/hostile/secrets
	tests/e2e/run
	$(MAKE) asan-e2e
	tests/torture/run --quick
	tests/e2e/fleet/run

fleet: mend
	@tests/e2e/fleet/run

# The fault-injection matrix on its own 10-host lab (tests/torture/run;
# --quick is the reduced form; README "Fault injection and fuzzing").
torture: mend
	tests/torture/run

# Sanitizers: mend and the unit tests built with ASan+UBSan under
# build/asan/, every unit test and a subset of e2e (ASAN_E2E) run with them
# (any report fails: -fno-sanitize-recover, leaks included).
ASAN_DIR := build/asan/
ASAN_E2E ?= t01 t03 t04 t05 t13 t33
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
asan-build:
	$(MAKE) B=$(ASAN_DIR) SANITIZE=address,undefined DEVELOPER=1 \
	    $(ASAN_DIR)mend $(addprefix $(ASAN_DIR),$(UNIT_SRC:.c=))
asan-unit: asan-build
	$(ASAN_ENV) tests/run-unit $(addprefix $(ASAN_DIR),$(UNIT_SRC:.c=))
asan-e2e: asan-build
	$(ASAN_ENV) MEND=$(CURDIR)/$(ASAN_DIR)mend E2E_ONLY='$(ASAN_E2E)' tests/e2e/run
asan: asan-unit
	ASAN_OPTIONS=detect_leaks=1 HOSTILE_RSS_MB=1024 MEND=$(CURDIR)/$(ASAN_DIR)mend tests/hostile/run
	ASAN_OPTIONS=detect_leaks=1 MEND=$(CURDIR)/$(ASAN_DIR)mend tests/hostile/secrets
	$(MAKE) asan-e2e

tmpldiff: tests/template/render
	tests/template/diff

demo:
	tests/install-deps
	$(MAKE) mend
	tests/demo/run

bench: mend
	tests/bench/run

FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
	$(shell $(PKG_CONFIG) --cflags $(PKGS))
fuzz:
	@command -v clang >/dev/null || { echo "fuzz: needs clang (apt-get install clang)"; exit 1; }
	@FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_RUNS='$(FUZZ_RUNS)' FUZZ_VERSION='$(VERSION)' FUZZ_CFLAGS='$(FUZZ_CFLAGS)' FUZZ_LIBS='$(LDLIBS)' \
	    ENGINE_SRC='$(ENGINE_SRC)' tests/fuzz/run

compat: mend
	tests/compat/run

valgrind: mend $(UNIT_BIN)
	VALGRIND=1 tests/run-unit $(UNIT_BIN)

lint: libmend.a
	@tests/lint

install: mend
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 mend $(DESTDIR)$(BINDIR)/mend

clean:
	rm -f mend libmend.a $(ENGINE_OBJ) $(ENGINE_SRC:.c=.d) $(MAIN_SRC:.c=.o) \
	    $(MAIN_SRC:.c=.d) tests/unit/*.d $(UNIT_BIN) tests/template/render \
	    tests/template/*.d
	rm -rf build/

.PHONY: all unit e2e fleet check demo bench fuzz valgrind lint install clean compat \
	asan asan-build asan-unit asan-e2e tmpldiff torture
