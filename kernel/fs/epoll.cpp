// Filesystems: epoll (see epoll.h). Locking, after Linux: one global mutex orders
// changes to interest lists and to the files' item chains (epoll_ctl, a file's last
// close, an instance's destruction); each instance's mutex covers scanning its ready
// list; the ready list itself is under a spinlock, as wake functions add to it from any
// context. Nested instances take mutexes outer before inner, and loops are refused.
#include "fs/epoll.h"

#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "sync/mutex.h"

namespace {

constexpr u32 PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
// Linux's EPOLLEXCLUSIVE_OK_BITS.
constexpr u32 EXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLRDBAND |
                                  EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP | EPOLLWAKEUP | EPOLLET |
                                  EPOLLEXCLUSIVE;
constexpr int MAX_EVENTS = 0x7fffffff / static_cast<int>(sizeof(epoll_event));
const char EVENTPOLL_KIND[] = "eventpoll";

Mutex g_epoll_lock;

class EventPoll;

}  // namespace

// One hook per wait queue the watched file named while being polled.
struct EpollHook {
    WaitQueue::Waiter waiter;  // first: the wake function finds the hook from it
    WaitQueue* queue;          // null once the queue went away (POLLFREE)
    EpollItem* item;
    EpollHook* next;
};

struct EpollItem {
    EventPoll* epoll;
    File* file;  // not owned
    int fd;
    u32 events;  // the interest, plus EPOLLERR | EPOLLHUP; only PRIVATE_BITS once a one-shot fired
    u64 data;
    EpollItem* next_for_file = nullptr;
    EpollHook* hooks = nullptr;
    ListNode interest_node;
    ListNode ready_node;
};

namespace {

using ReadyList = IntrusiveList<EpollItem, &EpollItem::ready_node>;

class EventPoll final : public File {
public:
    EventPoll() : File(O_RDWR) {}
    ~EventPoll() override;

    u32 poll(PollTable* table) override;
    const char* kind_name() const override { return EVENTPOLL_KIND; }
    u32 stat_mode() const override { return 0600; }

    // Under g_epoll_lock.
    ErrorOr add(int fd, File& target, const epoll_event& event);
    ErrorOr modify(EpollItem& item, const epoll_event& event);
    void remove(EpollItem& item);  // and the instance's mutex
    EpollItem* find(File& target, int fd);

    Result<i64> wait(UserPtr<epoll_event> events, int max_events, u64 deadline_ns, bool immediate);
    void item_became_ready(EpollItem& item);
    Mutex& mutex() { return m_mutex; }
    IntrusiveList<EpollItem, &EpollItem::interest_node>& items() { return m_items; }

private:
    // Reports ready items into `events` (user memory); the instance's mutex is held.
    Result<i64> deliver(UserPtr<epoll_event> events, int max_events);
    void take_ready(ReadyList& into);
    void return_ready(ReadyList& from);
    u32 item_events(EpollItem& item) { return item.file->poll(nullptr) & item.events & ~PRIVATE_BITS; }

    Mutex m_mutex;
    IntrusiveList<EpollItem, &EpollItem::interest_node> m_items;
    SpinLock m_ready_lock;
    ReadyList m_ready;
    WaitQueue m_waiters;       // epoll_wait callers
    WaitQueue m_poll_waiters;  // poll/select/epoll watching this instance
};

EventPoll* as_epoll(File& file) {
    return file.kind_name() == EVENTPOLL_KIND ? static_cast<EventPoll*>(&file) : nullptr;
}

// Linux's ep_poll_callback: may run in an interrupt handler.
void item_wake(WaitQueue::Waiter& waiter, u32 key) {
    auto* hook = reinterpret_cast<EpollHook*>(&waiter);
    EpollItem& item = *hook->item;
    if (key & POLLFREE) {
        // The queue is being destroyed (a process's signalfd queue at exit): leave it.
        WaitQueue::unlink_during_wake(waiter);
        hook->queue = nullptr;
    }
    if (!(item.events & ~PRIVATE_BITS)) return;  // a one-shot that already fired
    if (key && !(key & POLLFREE) && !(key & item.events)) return;
    item.epoll->item_became_ready(item);
}

// The PollTable of EPOLL_CTL_ADD: hooks `item` onto each queue the file names.
class ItemTable final : public PollTable {
public:
    explicit ItemTable(EpollItem& item) : PollTable(item.events), m_item(item) {}
    void add(WaitQueue& queue) override {
        auto* hook = static_cast<EpollHook*>(kmalloc(sizeof(EpollHook)));
        if (!hook) {
            m_out_of_memory = true;
            return;
        }
        hook->waiter = WaitQueue::Waiter{nullptr, {}, item_wake};
        hook->queue = &queue;
        hook->item = &m_item;
        hook->next = m_item.hooks;
        m_item.hooks = hook;
        queue.add(hook->waiter);
    }
    bool out_of_memory() const { return m_out_of_memory; }

private:
    EpollItem& m_item;
    bool m_out_of_memory = false;
};

void unhook(EpollItem& item) {
    while (EpollHook* hook = item.hooks) {
        item.hooks = hook->next;
        if (hook->queue) hook->queue->remove(hook->waiter);
        kfree(hook);
    }
}

void unlink_from_file(EpollItem& item) {
    for (EpollItem** link = &item.file->epoll_items; *link; link = &(*link)->next_for_file) {
        if (*link == &item) {
            *link = item.next_for_file;
            return;
        }
    }
}

EventPoll::~EventPoll() {
    MutexGuard global(g_epoll_lock);
    MutexGuard guard(m_mutex);
    while (EpollItem* item = m_items.first()) remove(*item);
}

void EventPoll::item_became_ready(EpollItem& item) {
    {
        SpinLockGuard guard(m_ready_lock);
        if (!item.ready_node.is_linked()) m_ready.push_back(item);
    }
    m_waiters.wake_all(EPOLLIN);
    m_poll_waiters.wake_all(EPOLLIN | EPOLLRDNORM);
}

void EventPoll::take_ready(ReadyList& into) {
    SpinLockGuard guard(m_ready_lock);
    while (EpollItem* item = m_ready.pop_front()) into.push_back(*item);
}

void EventPoll::return_ready(ReadyList& from) {
    // Unreported items go back in front, in order, ahead of those that arrived meanwhile.
    SpinLockGuard guard(m_ready_lock);
    while (EpollItem* item = from.last()) {
        ReadyList::remove(*item);
        if (!item->ready_node.is_linked()) m_ready.push_front(*item);
    }
}

EpollItem* EventPoll::find(File& target, int fd) {
    for (EpollItem& item : m_items) {
        if (item.file == &target && item.fd == fd) return &item;
    }
    return nullptr;
}

ErrorOr EventPoll::add(int fd, File& target, const epoll_event& event) {
    MutexGuard guard(m_mutex);
    if (find(target, fd)) return err(EEXIST);
    auto* item =
        new (kstd::nothrow) EpollItem{this, &target, fd, event.events | EPOLLERR | EPOLLHUP, event.data};
    if (!item) return err(ENOMEM);
    ItemTable table(*item);
    u32 ready = target.poll(&table) & item->events;
    if (table.out_of_memory()) {
        unhook(*item);
        delete item;
        return err(ENOMEM);
    }
    item->next_for_file = target.epoll_items;
    target.epoll_items = item;
    m_items.push_back(*item);
    if (ready) item_became_ready(*item);
    return {};
}

ErrorOr EventPoll::modify(EpollItem& item, const epoll_event& event) {
    MutexGuard guard(m_mutex);
    item.events = event.events | EPOLLERR | EPOLLHUP;
    item.data = event.data;
    // Linux's ep_modify: a file already ready is reported under the new interest.
    if (item_events(item)) item_became_ready(item);
    return {};
}

void EventPoll::remove(EpollItem& item) {
    unhook(item);
    {
        SpinLockGuard guard(m_ready_lock);
        if (item.ready_node.is_linked()) ReadyList::remove(item);
    }
    m_items.remove(item);
    unlink_from_file(item);
    delete &item;
}

Result<i64> EventPoll::deliver(UserPtr<epoll_event> events, int max_events) {
    ReadyList scan;
    take_ready(scan);
    i64 count = 0;
    ErrorOr fault;
    while (count < max_events) {
        EpollItem* item;
        {
            // Off the list before polling: a wake-up from now on queues it again.
            SpinLockGuard guard(m_ready_lock);
            item = scan.pop_front();
        }
        if (!item) break;
        u32 revents = item_events(*item);
        if (!revents) continue;
        epoll_event out{revents, item->data};
        if (auto copied = mm::copy_to_user(events.offset(static_cast<usize>(count)), &out);
            copied.is_error()) {
            SpinLockGuard guard(m_ready_lock);
            scan.push_front(*item);
            fault = copied;
            break;
        }
        count++;
        if (item->events & EPOLLONESHOT) {
            item->events &= PRIVATE_BITS;
        } else if (!(item->events & EPOLLET)) {
            SpinLockGuard guard(m_ready_lock);
            if (!item->ready_node.is_linked()) m_ready.push_back(*item);
        }
    }
    return_ready(scan);
    if (fault.is_error() && count == 0) return fault.error();
    return count;
}

Result<i64> EventPoll::wait(UserPtr<epoll_event> events, int max_events, u64 deadline_ns, bool immediate) {
    for (;;) {
        {
            MutexGuard guard(m_mutex);
            i64 count = TRY(deliver(events, max_events));
            if (count) return count;
        }
        if (immediate) return 0;
        auto waited =
            m_waiters.wait_until([&] { return !m_ready.is_empty(); }, WaitMode::Interruptible, deadline_ns);
        if (waited.is_error()) {
            if (waited.error().code() != ETIMEDOUT) return err(EINTR);  // epoll_wait never restarts
            immediate = true;                                           // one last look, then 0
        }
    }
}

u32 EventPoll::poll(PollTable* table) {
    if (table) table->add(m_poll_waiters);
    MutexGuard guard(m_mutex);
    // Linux's ep_eventpoll_poll: readable when some item on the ready list is ready;
    // the others leave the list.
    ReadyList scan;
    take_ready(scan);
    bool ready = false;
    for (;;) {
        EpollItem* item;
        {
            SpinLockGuard guard_ready(m_ready_lock);
            item = scan.pop_front();
        }
        if (!item) break;
        if (!item_events(*item)) continue;
        ready = true;
        SpinLockGuard guard_ready(m_ready_lock);
        if (!item->ready_node.is_linked()) m_ready.push_back(*item);
        break;
    }
    return_ready(scan);
    return ready ? (EPOLLIN | EPOLLRDNORM) : 0;
}

// How deep the epoll instances below `file` nest (0: not an epoll), or MAX_NESTING + 1
// when `forbidden` is among them (a loop).
int depth_below(File& file, EventPoll* forbidden, int depth) {
    EventPoll* epoll = as_epoll(file);
    if (!epoll) return 0;
    if (epoll == forbidden || depth > epoll::MAX_NESTING) return epoll::MAX_NESTING + 1;
    int deepest = 0;
    for (EpollItem& item : epoll->items())
        deepest = kstd::max(deepest, depth_below(*item.file, forbidden, depth + 1));
    return deepest + 1;
}

// How many epoll instances watch `file` above it, at most.
int depth_above(File& file, int depth) {
    if (depth > epoll::MAX_NESTING) return depth;
    int deepest = 0;
    for (EpollItem* item = file.epoll_items; item; item = item->next_for_file)
        deepest = kstd::max(deepest, 1 + depth_above(*item->epoll, depth + 1));
    return deepest;
}

}  // namespace

namespace epoll {

Result<RefPtr<File>> create(u32) {
    RefPtr<File> file(adopt, new (kstd::nothrow) EventPoll);
    if (!file) return err(ENOMEM);
    return file;
}

bool is_epoll(const File& file) { return file.kind_name() == EVENTPOLL_KIND; }

ErrorOr control(File& epoll_file, int operation, int fd, File& target, const epoll_event& user_event) {
    EventPoll* epoll = as_epoll(epoll_file);
    if (!epoll || &epoll_file == &target) return err(EINVAL);
    if (!target.pollable()) return err(EPERM);
    epoll_event event = user_event;
    event.events &= ~u32(EPOLLWAKEUP);  // needs CAP_BLOCK_SUSPEND and means nothing here
    if (event.events & EPOLLEXCLUSIVE) {
        if (operation == EPOLL_CTL_MOD) return err(EINVAL);
        if (operation == EPOLL_CTL_ADD && ((event.events & ~EXCLUSIVE_OK_BITS) || is_epoll(target)))
            return err(EINVAL);
    }
    MutexGuard global(g_epoll_lock);
    EpollItem* existing = nullptr;
    {
        MutexGuard guard(epoll->mutex());
        existing = epoll->find(target, fd);
    }
    switch (operation) {
    case EPOLL_CTL_ADD: {
        if (existing) return err(EEXIST);
        if (is_epoll(target)) {
            // Linux's loop check: no cycle, and no chain deeper than EP_MAX_NESTS.
            int below = depth_below(target, epoll, 1);
            if (below > MAX_NESTING || below + depth_above(*epoll, 0) > MAX_NESTING) return err(ELOOP);
        }
        return epoll->add(fd, target, event);
    }
    case EPOLL_CTL_MOD:
        if (!existing) return err(ENOENT);
        if (existing->events & EPOLLEXCLUSIVE) return err(EINVAL);
        return epoll->modify(*existing, event);
    case EPOLL_CTL_DEL: {
        if (!existing) return err(ENOENT);
        MutexGuard guard(epoll->mutex());
        epoll->remove(*existing);
        return {};
    }
    default: return err(EINVAL);
    }
}

Result<i64> wait(File& epoll_file, UserPtr<epoll_event> events, int max_events, u64 deadline_ns,
                 bool immediate) {
    EventPoll* epoll = as_epoll(epoll_file);
    if (!epoll) return err(EINVAL);
    if (max_events <= 0 || max_events > MAX_EVENTS) return err(EINVAL);
    if (!mm::is_user_range(events.address(), static_cast<usize>(max_events) * sizeof(epoll_event)))
        return err(EFAULT);
    return epoll->wait(events, max_events, deadline_ns, immediate);
}

void file_released(File& file) {
    MutexGuard global(g_epoll_lock);
    while (EpollItem* item = file.epoll_items) {
        EventPoll* epoll = item->epoll;
        MutexGuard guard(epoll->mutex());
        epoll->remove(*item);
    }
}

}  // namespace epoll
