"""The process tree under a pid, from /proc: shared by cpu-split.py and connect-split.py."""
import collections
import os


def descendants(root):
    """root and every process below it, parents before children."""
    children = collections.defaultdict(list)
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as stat:
                    parent = int(stat.read().rsplit(')', 1)[1].split()[1])
                children[parent].append(int(entry))
            except OSError:
                pass  # gone meanwhile
    tree, i = [root], 0
    while i < len(tree):
        tree += children[tree[i]]
        i += 1
    return tree
