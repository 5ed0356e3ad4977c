# SPDX-License-Identifier: GPL-2.0
#
# make                  module (for KVER, default the running kernel) and tools
# make module-debug     module with DEBUG: lifetime logging and self-tests
# make tools            ssctl, ss-socksd (copied to build/bin)
# make install          module_install and the tools under $(PREFIX)
# make dkms-install     register the tree with DKMS, build and install it
# make deb              the Debian packages shadowsocks-kernel-dkms and ssctl
#                       (dpkg-buildpackage, then lintian) in build/deb
# make check            W=1 and sparse build of the module
# make style            checkpatch --strict on kmod/ and uapi/ (but generated files)
# make regen            the files generated from the YAML netlink spec
# make fuzz             the fuzz targets of the module's parsers (selftests/fuzz),
#                       FUZZ_TIME seconds each (default 60)
# make test | demo | bench   the VM runner (selftests/vm/run)
# make bench BENCH_KERNEL=KVER   the benchmarks on that kernel (default: 6.1);
#                                 BENCH_PARTS=udp etc.: see selftests/bench.sh

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr
DESTDIR ?=
CHECKPATCH ?= /var/cache/shadowsocks-vm/checkpatch/scripts/checkpatch.pl
TOOLS := ssctl ss-socksd
# where each tool is built: its own directory, else ssctl/ (ss-socksd)
tooldir = $(if $(wildcard $(1)/Makefile),$(1),ssctl)
TOOLDIRS := $(sort $(foreach t,$(TOOLS),$(call tooldir,$(t))))

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-debug:
	$(MAKE) -C $(KDIR) M=$(CURDIR) DEBUG=1 modules

check:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=1 modules

tools:
	@for d in $(TOOLDIRS); do $(MAKE) --no-print-directory -C $$d || exit 1; done
	@mkdir -p build/bin
	@$(foreach t,$(TOOLS),cp -f $(call tooldir,$(t))/$(t) build/bin/ &&) true

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)
	@for d in $(TOOLDIRS); do \
		$(MAKE) --no-print-directory -C $$d install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) || exit 1; \
	done

dkms-install:
	rm -rf /usr/src/shadowsocks-$(VERSION)
	mkdir -p /usr/src/shadowsocks-$(VERSION)
	cp -a Kbuild Makefile dkms.conf kmod uapi /usr/src/shadowsocks-$(VERSION)/
	dkms add -m shadowsocks -v $(VERSION)
	dkms build -m shadowsocks -v $(VERSION) -k $(KVER)
	dkms install -m shadowsocks -v $(VERSION) -k $(KVER)

# Generated files (YNL-GEN) are ynl-gen-c.py's style, checked by
# scripts/ynl-regen.sh --check instead. Version checks are allowed in
# compat.h only, where no macro can tell the kernels apart.
GENERATED := kmod/netlink-gen.c kmod/netlink-gen.h uapi/linux/shadowsocks_genl.h
style:
	@test -x $(CHECKPATCH) || { echo "no $(CHECKPATCH): run selftests/vm/setup.sh" >&2; exit 1; }
	@$(CHECKPATCH) --no-tree --strict --quiet --show-types \
		--ignore SPDX_LICENSE_TAG,LINUX_VERSION_CODE \
		-f $(filter-out $(GENERATED),$(wildcard kmod/*.c kmod/*.h uapi/linux/*.h))
	@! grep -n LINUX_VERSION_CODE $(filter-out kmod/compat.h,$(wildcard kmod/*.c kmod/*.h)) || \
		{ echo "version checks belong in kmod/compat.h" >&2; exit 1; }

regen:
	bash scripts/ynl-regen.sh

deb:
	bash scripts/deb.sh

fuzz:
	$(MAKE) --no-print-directory -C selftests/fuzz run $(if $(FUZZ_TIME),FUZZ_TIME=$(FUZZ_TIME))

test:
	bash selftests/vm/run

demo:
	bash selftests/vm/run --demo

bench:
	bash selftests/vm/run --bench $(if $(BENCH_KERNEL),--kernel $(BENCH_KERNEL))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	@for d in $(TOOLDIRS); do $(MAKE) --no-print-directory -C $$d clean; done
	rm -rf build

.PHONY: all module module-debug check tools install dkms-install deb style regen fuzz test demo bench clean
