import ShrinkNN
