#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, as a gateway box gets them: the two .debs that
# `make deb` built on the host (selftests/vm/run puts them in
# $SS_DEB_DIR) installed with dpkg, DKMS building the module for the
# running kernel in the postinst, then the demo run from the installed
# files only (/usr/sbin's tools, the module DKMS installed, the demo script
# the package ships), then both packages purged.
#
# DKMS's build of the module in the postinst takes 450-550 s under TCG. The
# default run builds the package's own /usr/src with DKMS on the host, for
# this kernel's headers (selftests/dkms.sh), and keeps the result as DKMS's
# binaries-only archive in $SS_DEB_DIR. With that archive (newer than the
# package), the box here is one without the headers: the postinst registers
# the sources and skips the build, saying why, and the module comes from
# the archive through DKMS (dkms ldtarball, dkms install), as a vendor's
# prebuilt module would. SS_DEB_GUEST_BUILD=1, or no archive, gives the
# box the headers and has the postinst build the module here.
#
# The guest's /lib/modules/KVER is the runner's read-only tree holding the
# module built from this checkout: it gets a private writable layer for
# the test, without that module, so the module loaded can only be DKMS's.
# The other kernels' trees are hidden, so that DKMS builds for this one
# only (under TCG a build takes minutes).

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

KV=$(uname -r)
MODDIR=/lib/modules/$KV
HEADERS=/usr/src/linux-headers-$KV
DEBS=${SS_DEB_DIR:-}
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$(dirname "$0")/../dkms.conf")
LAYER=$(mktemp -d)
HIDDEN=()
OVERLAY=0
# only the packages' directories and the system's, not the runner's tools
INSTALLED_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

restore() {
	local d
	dpkg --purge ssctl shadowsocks-kernel-dkms >/dev/null 2>&1 || true
	grep -q '^shadowsocks ' /proc/modules && rmmod shadowsocks
	for d in "${HIDDEN[@]}"; do
		umount "$d" 2>/dev/null || true
	done
	[ "$OVERLAY" -eq 1 ] && umount "$MODDIR"
	umount "$LAYER" 2>/dev/null
	rm -rf "$LAYER"
}
trap restore EXIT

debs=("$DEBS"/shadowsocks-kernel-dkms_"$VER"_all.deb "$DEBS"/ssctl_"$VER"_amd64.deb)
PREBUILT=$DEBS/shadowsocks-$KV.dkms.tar.gz
if [ "${SS_DEB_GUEST_BUILD:-0}" = 1 ] || [ ! "$PREBUILT" -nt "${debs[0]}" ]; then
	PREBUILT=
fi
if ! ls "${debs[@]}" >/dev/null 2>&1; then
	ss_fail "make deb's packages for $VER are in \$SS_DEB_DIR" \
		"$(ls -l "$DEBS" 2>&1) (selftests/vm/run builds them before the guests boot)"
	ss_done
	exit
fi
if [ ! -d "$HEADERS" ]; then
	# the debug kernel has a built tree, not a headers package
	ss_skip "dpkg -i, DKMS build, the demo from the installed files" \
		"no Debian headers package for $KV"
	ss_done
	exit
fi
ss_ok "make deb's packages for $VER are in \$SS_DEB_DIR"

# ---- a box with the headers installed and no module of ours -------------

grep -q '^shadowsocks ' /proc/modules && rmmod shadowsocks
# (an overlay's upper layer cannot be on the root's overlay: a tmpfs)
if mount -t tmpfs -o mode=0755 tmpfs "$LAYER" &&
	mkdir -p "$LAYER/upper" "$LAYER/work" "$LAYER/empty" &&
	mount -t overlay overlay \
	-o "lowerdir=$MODDIR,upperdir=$LAYER/upper,workdir=$LAYER/work" "$MODDIR"; then
	OVERLAY=1
else
	ss_fail "a writable layer over $MODDIR"
	ss_done
	exit
fi
rm -f "$MODDIR"/updates/shadowsocks.ko
if [ -n "$PREBUILT" ]; then
	rm -f "$MODDIR/build" "$MODDIR/source"
else
	ln -sfn "$HEADERS" "$MODDIR/build"
fi
for d in /lib/modules/*; do
	[ "$d" = "$MODDIR" ] && continue
	mount --bind "$LAYER/empty" "$d" && HIDDEN+=("$d")
done
ss_test "before install: no shadowsocks module for $KV" \
	bash -c "! modinfo -k $KV shadowsocks"

# ---- install -------------------------------------------------------------

t0=$SECONDS
if out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}" 2>&1); then
	ss_ok "dpkg -i shadowsocks-kernel-dkms ssctl"
else
	ss_fail "dpkg -i shadowsocks-kernel-dkms ssctl" "$out"
fi
if [ -n "$PREBUILT" ]; then
	elapsed "dpkg -i, without the headers: $((SECONDS - t0)) s"
else
	elapsed "dpkg -i, with DKMS's build under TCG: $((SECONDS - t0)) s"
fi
printf '%s\n' "$out" | grep -E 'Building|Done|skipped|DKMS' | sed 's/^/# /'

if [ -n "$PREBUILT" ]; then
	what="without the headers, the postinst registers the sources with DKMS and skips the build, saying why"
	st=$(dkms status -m shadowsocks -v "$VER" 2>&1)
	if grep -q ': added' <<<"$st" && grep -qF "Module build for kernel $KV was skipped since the" <<<"$out"; then
		ss_ok "$what"
	else
		ss_fail "$what" "dkms status: $st; dpkg -i said: $out"
	fi
	t0=$SECONDS
	# ldtarball loads onto a tree without the module (it adds the sources
	# itself, /usr/src's since they are there): the postinst's registration
	# goes first. DKMS reads the kernel's config (the modules' compression)
	# from the headers: they come now.
	ln -sfn "$HEADERS" "$MODDIR/build"
	if out=$(dkms remove -m shadowsocks -v "$VER" --all 2>&1) &&
		out+=$(dkms ldtarball "$PREBUILT" 2>&1) &&
		out+=$(dkms install -m shadowsocks -v "$VER" -k "$KV" 2>&1); then
		ss_ok "dkms ldtarball + dkms install: the module the host's DKMS built from the package's sources for $KV"
	else
		ss_fail "dkms ldtarball + dkms install of the host's build for $KV" "$out"
	fi
	elapsed "dkms ldtarball + install: $((SECONDS - t0)) s"
fi

ss_test "both packages are installed (dpkg -s)" \
	bash -c 'dpkg -s ssctl shadowsocks-kernel-dkms | grep -c "^Status: install ok installed" | grep -qx 2'
ss_test "DKMS has the module built and installed for $KV" \
	bash -c "dkms status -m shadowsocks -v $VER -k $KV | grep -q ': installed'"
# (a glob, not a regex: 6.12's release has a '+')
found=$(modinfo -k "$KV" -F filename shadowsocks 2>&1)
if [[ "$found" == "$MODDIR/updates/dkms/shadowsocks.ko"* ]]; then
	ss_ok "modprobe finds DKMS's module, in updates/dkms"
else
	ss_fail "modprobe finds DKMS's module, in updates/dkms" "$found"
fi
for f in /usr/sbin/ssctl /usr/sbin/ss-socksd /usr/share/man/man8/ssctl.8.gz \
	/usr/share/man/man8/ss-socksd.8.gz /usr/share/bash-completion/completions/ssctl \
	/usr/share/bash-completion/completions/ss-socksd \
	/lib/systemd/system/ssctl-config.service /lib/systemd/system/ss-socksd@.service \
	/lib/systemd/system/ss-server-plugin@.service /lib/systemd/system/ssctl-metrics.timer \
	/usr/share/doc/ssctl/examples/demo.sh "/usr/src/shadowsocks-$VER/dkms.conf"; do
	ss_test "installed: $f" bash -c "dpkg -S '$f' >/dev/null && test -s '$f'"
done
ss_test "the installed ssctl says version $VER" \
	bash -c "[ \"\$(/usr/sbin/ssctl --version)\" = 'ssctl $VER' ]"
ss_test "man finds ssctl(8) and ss-socksd(8)" \
	bash -c 'man -w 8 ssctl && man -w 8 ss-socksd'
ss_test "the installed bash completion completes ssctl's commands" \
	bash -c 'source /usr/share/bash-completion/completions/ssctl && complete -p ssctl >/dev/null'
ss_test "no unit is enabled or started by the installation" \
	bash -c '! ls /etc/systemd/system/*.wants/ 2>/dev/null | grep -E "ssctl|ss-socksd|ss-server"'

# ---- the demo, from the installed files --------------------------------

t0=$SECONDS
if out=$(env PATH="$INSTALLED_PATH" bash /usr/share/doc/ssctl/examples/demo.sh 2>&1) &&
	grep -qx 'demo complete' <<<"$out"; then
	ss_ok "the demo runs from the installed files (/usr/share/doc/ssctl/examples/demo.sh, /usr/sbin's tools)"
else
	ss_fail "the demo runs from the installed files" "$(tail -n 30 <<<"$out")"
fi
elapsed "the demo: $((SECONDS - t0)) s"
grep -E '^SHA-256 matches|^10\.9\.2\.2$' <<<"$out" | sed 's/^/# demo: /'
# (the module has no srcversion, no MODULE_VERSION: its GNU build ID)
what="the module the demo loaded is DKMS's (build ID)"
loaded=$(tail -c 20 /sys/module/shadowsocks/notes/.note.gnu.build-id 2>/dev/null |
	od -An -tx1 | tr -d ' \n')
f=$(modinfo -k "$KV" -F filename shadowsocks 2>/dev/null)
case "$f" in
*.xz) built=$(xz -dc "$f" >"$LAYER/m.ko" && readelf -n "$LAYER/m.ko") ;;
*) built=$(readelf -n "$f" 2>/dev/null) ;;
esac
built=$(sed -n 's/.*Build ID: *//p' <<<"$built")
if [ -n "$loaded" ] && [ "$loaded" = "$built" ]; then
	ss_ok "$what"
else
	ss_fail "$what" "loaded: '$loaded'; $f: '$built'"
fi

# ---- purge ---------------------------------------------------------------

rmmod shadowsocks
if out=$(DEBIAN_FRONTEND=noninteractive dpkg --purge ssctl shadowsocks-kernel-dkms 2>&1); then
	ss_ok "dpkg --purge ssctl shadowsocks-kernel-dkms"
else
	ss_fail "dpkg --purge ssctl shadowsocks-kernel-dkms" "$out"
fi
ss_test "after purge: DKMS knows no shadowsocks, its module and source are gone" \
	bash -c "[ -z \"\$(dkms status -m shadowsocks)\" ] && ! ls $MODDIR/updates/dkms/shadowsocks.ko* 2>/dev/null && [ ! -e /usr/src/shadowsocks-$VER ] && ! modinfo -k $KV shadowsocks"
ss_test "after purge: no ssctl, ss-socksd or unit left" \
	bash -c '! ls /usr/sbin/ssctl /usr/sbin/ss-socksd /lib/systemd/system/ssctl-config.service 2>/dev/null'

ss_done
