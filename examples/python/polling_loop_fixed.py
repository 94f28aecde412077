# The fix for polling_loop.py: send the message first, then wait for the child.
# expect: ok
import time
from multiprocessing import Process, Queue


def child(commands):
    command = commands.get()
    print('child got', command)


if __name__ == '__main__':
    commands = Queue()
    p = Process(target=child, args=(commands,))
    p.start()
    commands.put('stop')
    while p.is_alive():
        time.sleep(0.1)
