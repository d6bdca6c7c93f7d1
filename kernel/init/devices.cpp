// Kernel init: device probing (see devices.h).
#include "init/devices.h"

#include "drivers/block/page_cache.h"
#include "drivers/block/writeback.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio_blk.h"
#include "init/params.h"

namespace init {

void probe_devices() {
    block::page_cache::init();
    // Linux's pci=nomsi: INTx for everything (also how the tests exercise that path).
    if (auto pci = g_cmdline.value_of("pci"); pci && *pci == "nomsi") pci::set_msi_disabled(true);
    virtio::register_pci_driver();
    pci::init();
}

void start_device_threads() { block::writeback::start(); }

}  // namespace init
