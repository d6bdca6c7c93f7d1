# Strix OS: the two commands of the README, and a few conveniences.
#
#   make run    install what is missing, build, boot Strix in QEMU on this terminal
#   make test   install what is missing, build, run every test (CTest's summary last)
#   make bench  Strix and Linux side by side (tools/bench.py)
#
# The real build is CMake's (build/); this file only strings the steps together.

BUILD ?= build
QEMU_MEMORY ?= 512M
APPEND ?= console=ttyS0
JOBS ?= $(shell nproc)

.PHONY: all setup build run test iso bench clean

all: build

setup:
	@tools/setup.sh

build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	$(MAKE) -C $(BUILD) -j$(JOBS) --no-print-directory

# The rescue system: busybox with every applet and an /init that mounts /proc, /sys and /dev
# and starts a shell on the console (tools/make_rescue_initramfs.py).
RESCUE_INITRAMFS ?= $(BUILD)/rescue-initramfs.cpio.gz

run: build
	python3 tools/make_rescue_initramfs.py $(RESCUE_INITRAMFS)
	@echo "Booting Strix (type poweroff to leave, or Ctrl-A X)"
	qemu-system-x86_64 -cpu max -m $(QEMU_MEMORY) -nographic -no-reboot \
		-kernel $(BUILD)/strix -initrd $(RESCUE_INITRAMFS) -append "$(APPEND)"

test: build
	cd $(BUILD) && ctest -j2 --output-on-failure

# Strix and Linux side by side on the same work (docs/benchmarks.md); fetches the Linux
# kernel with apt-get download the first time.
bench: build
	python3 tools/bench.py

iso: build
	$(MAKE) -C $(BUILD) --no-print-directory iso

clean:
	rm -rf $(BUILD)
