# The fix for pipe_buffer_deadlock.py: one side receives before it sends.
# expect: ok
from multiprocessing import Pipe, Process


def child(conn):
    request = conn.recv()
    conn.send('C' * 1000000)


if __name__ == '__main__':
    here, there = Pipe()
    p = Process(target=child, args=(there,))
    p.start()
    here.send('P' * 1000000)
    reply = here.recv()
    p.join()
