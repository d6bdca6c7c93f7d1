// Filesystems: the character device registry (see device.h).
#include "fs/device.h"

namespace vfs {
namespace {
IntrusiveList<CharDevice, &CharDevice::node> g_devices;
IntrusiveList<DeviceNode, &DeviceNode::node> g_nodes;
void (*g_node_listener)(DeviceNode&) = nullptr;
}  // namespace

void publish_device_node(DeviceNode& node) {
    g_nodes.push_back(node);
    if (g_node_listener) g_node_listener(node);
}
DeviceNode* first_device_node() { return g_nodes.first(); }
DeviceNode* next_device_node(DeviceNode& node) { return g_nodes.next(node); }
void set_device_node_listener(void (*listener)(DeviceNode&)) { g_node_listener = listener; }

void register_char_device(CharDevice& device) { g_devices.push_back(device); }

Result<RefPtr<File>> open_device(bool block, u64 rdev, const Path& path, u32 flags) {
    u32 major = dev_major(rdev), minor = dev_minor(rdev);
    for (CharDevice& device : g_devices) {
        if (device.block == block && device.major == major && minor >= device.first_minor && minor - device.first_minor < device.minor_count)
            return device.open(path, flags, minor, device.context);
    }
    return err(ENXIO);
}

CharDevice* first_char_device() { return g_devices.first(); }
CharDevice* next_char_device(CharDevice& device) { return g_devices.next(device); }
}  // namespace vfs
