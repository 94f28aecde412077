#pragma once

#include "api/check.hpp"

#include <string_view>

/// The seed hazard as Python source, buggy and fixed, for the api tests.
namespace mpcheck::api::testing {

/// The child puts a 1,000,000-character item; the parent joins it before getting the item.
constexpr std::string_view kSeedJoinFirst = R"(from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
)";

/// The fix: get the item first, then join.
constexpr std::string_view kSeedGetFirst = R"(from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    item = q.get()
    p.join()
)";

/// Checks `source` as the program `file` with default options.
inline Report check(std::string_view source, std::string_view file) {
    return check_source(source, file, CheckOptions{});
}

} // namespace mpcheck::api::testing
