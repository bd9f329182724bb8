<?php
/** OpenCart 2.x/3.0's controller base class, which catalog controllers extend. */
abstract class Controller extends HarnessController {
}
