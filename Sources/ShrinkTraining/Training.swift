import ShrinkNN
import ShrinkData
