export { cn } from "./cn";
export { Alert, alertVariants } from "./alert";
export type { AlertProps } from "./alert";
export { Badge, badgeVariants } from "./badge";
export type { BadgeProps } from "./badge";
export { Button, buttonVariants } from "./button";
export type { ButtonProps } from "./button";
export { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "./card";
export {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "./dialog";
export {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "./dropdown-menu";
export { EmptyState } from "./empty-state";
export type { EmptyStateProps } from "./empty-state";
export { FormField, fieldErrorId } from "./form-field";
export type { FormFieldProps } from "./form-field";
export { Input, Textarea } from "./input";
export { Label } from "./label";
export {
  Select,
  SelectContent,
  SelectGroup,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "./select";
export {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "./table";
export { Tabs, TabsContent, TabsList, TabsTrigger } from "./tabs";
export { LoadingRows, Skeleton } from "./skeleton";
export { niceTicks, StackedBarChart } from "./stacked-bar-chart";
export type { ChartDatum, ChartSeries, StackedBarChartProps } from "./stacked-bar-chart";
export { Switch } from "./switch";
export { Popover, PopoverClose, PopoverContent, PopoverTrigger } from "./popover";
export { Tooltip } from "./tooltip";
export type { TooltipProps } from "./tooltip";
