#include "frontend/frontend.hpp"

#include <gtest/gtest.h>

namespace mpcheck::frontend {
namespace {

Diagnostic diagnose(std::string_view src) {
    auto r = lower_python(src, "t.py");
    if (const auto* d = std::get_if<Diagnostic>(&r)) return *d;
    return Diagnostic{"<lowered>", 0, 0};
}

struct Case {
    const char* source;
    const char* message_prefix;
    std::uint32_t line, column;
};

TEST(Unsupported, ReportsWhatAndWhere) {
    const Case cases[] = {
        {"import socket\n", "unsupported: import of module 'socket'", 1, 1},
        // threading is imported for threading.BrokenBarrierError only: threads are refused.
        {"import threading\nt = threading.Thread(target=print)\n",
         "unsupported: call of threading.Thread()", 2, 5},
        {"from threading import Lock\nl = Lock()\n", "unsupported: call of threading.Lock()", 2, 5},
        {"x = 1\nf = lambda: 1\n", "unsupported: 'lambda'", 2, 5},
        {"class A:\n    x = 1\n", "unsupported: class body other than methods", 2, 5},
        {"def g():\n    yield 1\n", "unsupported: 'yield'", 2, 5},
        {"async def g():\n    pass\n", "unsupported: 'async'", 1, 1},
        {"from multiprocessing import Pool\nwith Pool(2) as p:\n    pass\n",
         "unsupported: multiprocessing.Pool", 2, 6},
        {"x = {1, 2}\n", "unsupported: set display", 1, 5},
        {"x = 1.5\n", "unsupported: float literal", 1, 5},
        {"import os\nx = os.getcwd()\n", "unsupported: call of os.getcwd()", 2, 5},
        {"x = max(1, 2)\n", "unsupported: call of 'max'", 1, 5},
        {"x = [1, 2]\nx.extend([3])\n", "unsupported: method 'extend' of a list", 2, 1},
        {"x = [1, 2]\nx = 3\n", "unsupported: 'x' rebound from a list", 2, 1},
        {"def f(*a):\n    pass\n", "unsupported: *args", 1, 7},
        {"x = {'a': 1}\nx['a'] = 2\n", "unsupported: assignment to a list or dict item", 2, 1},
        {"x = f'{1:{2}}'\n", "unsupported: f-string with a nested replacement field", 1, 5},
        {"def f(x):\n    pass\nf([1])\nf([1, 2])\n", "unsupported: 'f' called with a list", 4, 1},
        {"x = iter([1])\n", "unsupported: iter() other than as the iterable", 1, 5},
        {"x = '%(a)s' % 1\n", "unsupported: '%' formatting with a mapping key", 1, 5},
    };
    for (const Case& c : cases) {
        const Diagnostic d = diagnose(c.source);
        EXPECT_TRUE(d.message.starts_with(c.message_prefix)) << c.source << " -> " << d.message;
        EXPECT_EQ(d.line, c.line) << c.source << " -> " << d.message;
        EXPECT_EQ(d.column, c.column) << c.source << " -> " << d.message;
    }
}

TEST(Unsupported, ClassesOutsideTheStaticRecordModel) {
    const Case cases[] = {
        {"class C:\n    def __init__(self):\n        self.n = 0\n    def bump(self):\n"
         "        self.n = self.n + 1\nc = C()\nc.bump()\n",
         "unsupported: assignment to an attribute outside __init__", 5, 9},
        {"class C(dict):\n    pass\nc = C()\n", "unsupported: class 'C' derived from dict", 1, 9},
        {"class C:\n    def __init__(self):\n        print(1)\nc = C()\n",
         "unsupported: statement in __init__", 3, 9},
        {"class C:\n    def __init__(self):\n        self.a = 1\nc = C()\nx = c.b\n",
         "unsupported: attribute 'b' of a C object", 5, 5},
        {"import multiprocessing as mp\nclass W(mp.Process):\n    pass\nw = W()\n",
         "unsupported: Process subclass 'W' without run()", 4, 5},
        {"def f():\n    class C:\n        pass\n", "unsupported: class defined inside a function",
         2, 5},
    };
    for (const Case& c : cases) {
        const Diagnostic d = diagnose(c.source);
        EXPECT_TRUE(d.message.starts_with(c.message_prefix)) << c.source << " -> " << d.message;
        EXPECT_EQ(d.line, c.line) << c.source << " -> " << d.message;
        EXPECT_EQ(d.column, c.column) << c.source << " -> " << d.message;
    }
}

TEST(Unsupported, SyntaxErrors) {
    const Case cases[] = {
        {"x = (1,\n", "syntax error", 0, 0},
        {"if x\n    pass\n", "syntax error", 1, 5},
        {"  x = 1\n", "syntax error", 1, 3},
        {"x = 'abc\n", "syntax error: unterminated string", 1, 5},
        {"break\n", "syntax error: 'break' outside loop", 1, 1},
    };
    for (const Case& c : cases) {
        const Diagnostic d = diagnose(c.source);
        EXPECT_TRUE(d.message.starts_with(c.message_prefix)) << c.source << " -> " << d.message;
        if (c.line != 0) {
            EXPECT_EQ(d.line, c.line) << c.source;
            EXPECT_EQ(d.column, c.column) << c.source;
        }
    }
}

TEST(Unsupported, NameComparedWithAnotherStringIsRefused) {
    // Found by the fuzzing property: this recursed until the stack overflowed.
    const Diagnostic d =
        diagnose("import multiprocessing as mp\n\nif __name__ == '__maindel x__':\n"
                 "    q = mp.Queue()\n");
    EXPECT_TRUE(d.message.starts_with("unsupported: '__name__' outside")) << d.message;
    EXPECT_EQ(d.line, 3u);
    EXPECT_EQ(d.column, 4u);
}

TEST(Unsupported, NeverCrashesOnPrefixesOrDeepNesting) {
    const std::string program = R"(import multiprocessing as mp

def child(q, lock):
    with lock:
        q.put('X' * 1000000)
    try:
        x = q.get(timeout=1)
    except Exception as e:
        raise
    finally:
        print(f'done')

if __name__ == '__main__':
    q = mp.Queue()
    lock = mp.Lock()
    ps = [mp.Process(target=child, args=(q, lock)) for _ in range(2)]
    for p in ps:
        p.start()
    r, w = mp.Pipe()
    while not q.empty() and True:
        break
)";
    for (std::size_t n = 0; n <= program.size(); ++n) {
        const auto r = lower_python(std::string_view(program).substr(0, n), "t.py");
        (void)r;
    }
    EXPECT_TRUE(std::holds_alternative<model::Program>(lower_python(program, "t.py")));
    const std::string deep = "x = " + std::string(500, '(') + "1" + std::string(500, ')') + "\n";
    const Diagnostic d = diagnose(deep);
    EXPECT_TRUE(d.message.starts_with("unsupported: nesting too deep")) << d.message;
}

} // namespace
} // namespace mpcheck::frontend
