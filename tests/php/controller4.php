<?php
/** OpenCart 4.x's controller base class, which extension controllers extend. */
namespace Opencart\System\Engine;

abstract class Controller extends \HarnessController {
}
