#pragma once

// The seed hazard as Python source, buggy and fixed, shared by the suites that check source
// text through the api and the public package.

namespace mpcheck::testing {

/// The parent joins the child before getting its 1,000,000-character item: deadlock at line 8.
inline constexpr const char* kJoinBeforeGet = R"(from multiprocessing import Process, Queue

def child(q):
    q.put('X' * 1000000)

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
)";

/// The fix: get first, then join.
inline constexpr const char* kGetBeforeJoin = R"(from multiprocessing import Process, Queue

def child(q):
    q.put('X' * 1000000)

if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    item = q.get()
    p.join()
)";

} // namespace mpcheck::testing
